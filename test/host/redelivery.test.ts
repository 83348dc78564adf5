// A reading the broker redelivers (MQTT DUP flag) after we learned it, because our PUBACK was lost
// (e.g. the broker restarted), is refused as `duplicate` when its own timestamp is not after the
// device's last learned reading; without a timestamp, or newer, it is learned as usual. The last
// learned timestamp is kept in each checkpoint, so this holds across a restart of the host too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { IPublishPacket } from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { Service, type ServiceOptions } from "../../host/service/service.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { memoryLogger } from "../../host/logger.js";
import { tempDir } from "../helpers/tmp.js";

function start(store: Record<string, unknown>, opts: ServiceOptions = {}) {
  const config = loadConfig({ env: {}, overrides: { model: { task: "regression", target: "y", features: ["a"] }, store } });
  const s = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger: memoryLogger("error").logger, ...opts }).start();
  const deliver = (body: object, dup: boolean) =>
    (s as unknown as { onPacket(p: Partial<IPublishPacket>, done: () => void): void }).onPacket(
      { cmd: "publish", topic: "sensors/m1", payload: Buffer.from(JSON.stringify(body)), qos: 1, dup, retain: false },
      () => {},
    );
  return { s, deliver };
}

test("redelivered readings already learned are refused as duplicate", async () => {
  const { s, deliver } = start({ type: "none" });
  for (let i = 1; i <= 10; i++) deliver({ ts: 1000 + i, a: i, y: 2 * i }, false);
  deliver({ ts: 1009, a: 9, y: 18 }, true); // learned before: refused
  deliver({ ts: 1010, a: 10, y: 20 }, true); // the last one: refused
  deliver({ ts: 1011, a: 11, y: 22 }, true); // a redelivery never learned: learned
  deliver({ a: 12, y: 24 }, true); // no timestamp: cannot tell, learned
  deliver({ ts: 1005, a: 5, y: 10 }, false); // out of order but not a redelivery: learned
  const st = s.pool.get("m1")!.meta;
  assert.equal(st.learned, 13);
  assert.equal(st.rejectedObject().duplicate, 2);
  await s.stop();
});

test("after a restart (clean stop, or a kill after the checkpoint), a redelivered reading in the checkpoint is still a duplicate", async () => {
  for (const stop of [true, false]) {
    const path = join(tempDir("redelivery"), "state.db");
    const store = { type: "sqlite", path, checkpoint: { everyReadings: 5, everySeconds: 0 } };
    const TS = 1_750_000_000_000;
    const first = new SqliteStore({ path });
    const a = start(store, { store: first });
    for (let i = 1; i <= 10; i++) a.deliver({ ts: TS + i, a: i, y: 2 * i }, false); // checkpoints at 5 and 10
    if (stop) await a.s.stop();
    // else: killed right after the checkpoint, before the PUBACKs left; the process's end closes its file
    else first.close();
    const b = start(store, { store: new SqliteStore({ path }) });
    b.deliver({ ts: TS + 10, a: 10, y: 20 }, true); // its PUBACK was lost: refused
    b.deliver({ ts: TS + 7, a: 7, y: 14 }, true); // refused
    b.deliver({ ts: TS + 11, a: 11, y: 22 }, true); // never learned: learned
    const st = b.s.pool.get("m1")!.meta;
    assert.deepEqual(st.rejectedObject(), { duplicate: 2 }, stop ? "clean stop" : "kill");
    assert.equal(st.learned, 1);
    await b.s.stop();
    if (!stop) await a.s.stop();
  }
});
