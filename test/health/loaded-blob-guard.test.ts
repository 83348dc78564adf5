// A blob loaded into a device (`loadDevice`) is a different model: the rollback guard starts
// judging it afresh, as after a reset. Judged by the guard of the model it replaced, the loaded
// state's own checkpoint was known-good by that model's record, and a loaded model with a higher
// loss than that model's baseline was rolled back within a few hundred readings (to a checkpoint
// from before the load, or to the load's own one, throwing away what it learned since); the
// checkpoint written with the loaded state kept that old guard, so a restart right after the load
// did the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IClientPublishOptions } from "mqtt";
import { startService } from "../../host/service/index.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";
import { burstConfig, miscalibratedFeed } from "./miscalibrated-feed.js";

const config = burstConfig("memory");

function open(store: MemoryStore) {
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer, _o: IClientPublishOptions) => void sent.push({ topic, payload: String(payload) }) };
  const { logger, lines } = memoryLogger("info");
  const service = startService(config, { connect: false, publisher, logger, store });
  const health = () => {
    service.publishHealth(true);
    return JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/health").at(-1)!.payload);
  };
  return { service, health, lines };
}

/** A blob of device m's model after `n` readings of the miscalibrated sensor: worse on good readings. */
function otherModel(n: number): Uint8Array {
  const other = startService(config, { connect: false, publisher: { connected: true, publish() {} }, logger: memoryLogger("error").logger, store: new MemoryStore() });
  const feed = miscalibratedFeed(11);
  for (let i = 0; i < n; i++) other.handle("sensors/m", feed(i, true));
  const blob = other.snapshotDevice("m");
  assert.ok(blob.ok);
  void other.stop();
  return blob.value;
}

async function loadThenRun(restartAfterLoad: boolean) {
  const store = new MemoryStore({ history: 4 });
  let s = open(store);
  const feed = miscalibratedFeed();
  let i = 0;
  for (; i < 1000; i++) s.service.handle("sensors/m", feed(i, false));
  const before = s.health();
  assert.ok(typeof before.guard.baseline === "number", `the guard has a baseline before the load: ${JSON.stringify(before.guard)}`);
  assert.equal(before.rollbacks, 0);

  const loadedReadings = 1500;
  assert.deepEqual(s.service.loadDevice("m", otherModel(loadedReadings)), { ok: true, value: undefined });
  const kept = store.newest("m")!;
  assert.equal(kept.meta.readings, loadedReadings, "the loaded state was checkpointed at once");
  assert.equal((kept.guard as { baseline?: unknown }).baseline, null, "with a fresh guard beside it, no baseline of the model it replaced");
  if (restartAfterLoad) {
    await s.service.stop();
    s = open(store);
  }
  const after = 600;
  for (let n = 0; n < after; n++, i++) s.service.handle("sensors/m", feed(i, false));
  const h = s.health();
  const newest = store.newest("m")!.meta;
  await s.service.stop();
  return { h, lines: s.lines, readings: newest.readings, expected: loadedReadings + after };
}

test("a loaded blob restarts the guard's judging: the loaded model is not rolled back to the one it replaced", async () => {
  const r = await loadThenRun(false);
  assert.equal(r.h.rollbacks, 0, `no rollback: ${JSON.stringify(r.h)}`);
  assert.ok(!r.lines.some((l) => /rolled back to checkpoint/.test(l)), r.lines.filter((l) => /rolled back/.test(l)).join("\n"));
  assert.equal(r.readings, r.expected, "the loaded model goes on learning (its reading count continues from the blob's)");
});

test("a restart right after a load resumes the fresh guard kept with the loaded state, not the replaced model's", async () => {
  const r = await loadThenRun(true);
  assert.equal(r.h.rollbacks, 0, `no rollback: ${JSON.stringify(r.h)}`);
  assert.ok(!r.lines.some((l) => /rolled back to checkpoint/.test(l)));
  assert.equal(r.readings, r.expected, "the loaded model goes on learning after the restart");
});
