// forget and reset with purge when the store cannot delete (a full disk): the command fails
// saying why and nothing changes. Before, the device was dropped (or reset) in memory, the error
// surfaced as an internal error with no reply, and its checkpoints stayed to bring it back at the
// next start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";

class FullDiskStore extends MemoryStore {
  full = true;
  override remove(device: string): void {
    if (this.full) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    super.remove(device);
  }
}

function setup() {
  const store = new FullDiskStore();
  const config = loadConfig({
    env: {},
    overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "memory", checkpoint: { everyReadings: 5, everySeconds: 0 } } },
  });
  const replies: Record<string, unknown>[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: Uint8Array | string) => void (topic.endsWith("/reply") && replies.push(JSON.parse(String(payload)))) };
  const { logger } = memoryLogger("info");
  const s = new Service(config, { connect: false, publisher, logger, store }).start();
  for (let i = 0; i < 10; i++) s.handle("sensors/d1", Buffer.from(JSON.stringify({ a: i, y: 2 * i })));
  return { s, store, replies };
}

test("forget with a store that cannot delete: refused with store_unavailable, the device and its checkpoints stay", async () => {
  const { s, store, replies } = setup();
  const before = s.snapshotDevice("d1");
  s.handle("edgelearn/d1/cmd", Buffer.from("forget"));
  assert.deepEqual(replies.at(-1), { ok: false, cmd: "forget", device: "d1", error: "device d1: its checkpoints cannot be deleted now (disk full); nothing was changed" });
  assert.equal(s.counters.internalErrors, 0);
  assert.deepEqual(s.snapshotDevice("d1"), before, "still learning with its model");
  assert.deepEqual(store.devices(), ["d1"]);
  store.full = false;
  s.handle("edgelearn/d1/cmd", Buffer.from("forget"));
  assert.equal(replies.at(-1)!.ok, true);
  assert.deepEqual(store.devices(), []);
  assert.equal(s.snapshotDevice("d1").ok, false);
  await s.stop();
});

test("reset with purge and a store that cannot delete: refused, the model is not reset", async () => {
  const { s, store, replies } = setup();
  const before = s.snapshotDevice("d1");
  s.handle("edgelearn/d1/cmd", Buffer.from('{"cmd":"reset","purge":true}'));
  assert.equal(replies.at(-1)!.ok, false);
  assert.match(String(replies.at(-1)!.error), /checkpoints cannot be deleted now \(disk full\); nothing was changed/);
  assert.equal(s.counters.internalErrors, 0);
  assert.deepEqual(s.snapshotDevice("d1"), before);
  assert.deepEqual(store.devices(), ["d1"]);
  await s.stop();
});
