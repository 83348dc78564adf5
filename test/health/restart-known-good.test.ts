// After a restart a device's health names the known-good checkpoint the store holds (the one a
// rollback goes back to) from the start, not null until the next known-good checkpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IClientPublishOptions } from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";

const config = loadConfig({
  env: {},
  overrides: {
    model: { task: "regression", target: "y", features: ["a", "b"] },
    store: { type: "memory", checkpoint: { everyReadings: 50, everySeconds: 0 } },
    guard: { warmupReadings: 20 },
  },
});

function start(store: MemoryStore) {
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer, _o: IClientPublishOptions) => void sent.push({ topic, payload: String(payload) }) };
  const service = startService(config, { connect: false, publisher, logger: memoryLogger("info").logger, store });
  const send = (i: number) => service.handle("sensors/m", Buffer.from(JSON.stringify({ a: i % 7, b: i % 3, y: 2 * (i % 7) - (i % 3) })));
  const health = () => {
    service.publishHealth(true);
    return JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/health").at(-1)!.payload);
  };
  return { service, send, health };
}

test("a restarted device's health names the store's last known-good checkpoint at once", async () => {
  const store = new MemoryStore();
  const a = start(store);
  for (let i = 0; i < 130; i++) a.send(i);
  assert.ok(a.health().last_known_good, "known-good checkpoints were written");
  await a.service.stop();
  const kg = store.lastKnownGood("m")!.meta;
  const before = { seq: kg.seq, time: kg.time, readings: kg.readings };

  const b = start(store);
  assert.deepEqual(b.health().last_known_good, before, "before any reading");
  b.send(0);
  assert.deepEqual(b.health().last_known_good, before, "once the guard judges readings");
  assert.ok(b.service.resetDevice("m").ok);
  assert.deepEqual(b.health().last_known_good, before, "a reset keeps the checkpoints: a rollback still goes back to it");
  assert.ok(b.service.resetDevice("m", true).ok); // purged: nothing to go back to
  assert.equal(b.health().last_known_good, null);
  await b.service.stop();
});

test("a checkpoint whose guard state cannot be used restores the model and starts the guard afresh, saying why", async () => {
  const store = new MemoryStore();
  const a = start(store);
  for (let i = 0; i < 130; i++) a.send(i);
  await a.service.stop();
  const newest = store.newest("m")!;
  assert.equal((newest.guard as { v?: number } | undefined)?.v, 2, "the guard's state is kept with the checkpoint");
  store.checkpointMany([{ device: "m", blob: newest.blob, readings: newest.meta.readings, knownGood: false, guard: { ...newest.guard, v: 99 } }]);
  const { logger, lines } = memoryLogger("info");
  const service = startService(config, { connect: false, publisher: { connected: true, publish: () => {} }, logger, store });
  assert.ok(lines.some((l) => /device m: the guard state in its checkpoint cannot be used \(version 99/.test(l)), lines.join("\n"));
  assert.ok(service.deviceHealth("m"), "the model was restored");
  await service.stop();
});
