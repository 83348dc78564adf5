// A restart in the middle of a burst of bad data: the rollback guard resumes from the state kept
// with the checkpoint it restored (on probation, the pre-burst baseline, its rollback count), so
// nothing the burst taught becomes known-good and the rollback when the burst ends goes back to
// the model from before it. Before the guard's state was kept, every checkpoint after such a
// restart was known-good and the rollback went back to a model that had learned the burst.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IClientPublishOptions } from "mqtt";
import { startService } from "../../host/service/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { memoryLogger } from "../../host/logger.js";
import { burstConfig, burstDriver } from "./miscalibrated-feed.js";

const config = burstConfig("sqlite");

async function run(restartAt: number | undefined) {
  const path = join(mkdtempSync(join(tmpdir(), "edgelearn-guard-")), "state.db");
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer, _o: IClientPublishOptions) => void sent.push({ topic, payload: String(payload) }) };
  const { logger, lines } = memoryLogger("info");
  const open = () => startService(config, { connect: false, publisher, logger, store: new SqliteStore({ path, history: 4 }) });
  let service = open();
  const { send, errors } = burstDriver(() => service, sent);
  const health = () => {
    service.publishHealth(true);
    return JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/health").at(-1)!.payload);
  };
  let afterRestart: ReturnType<typeof health> | undefined;
  let firstSeqAfterRestart = Infinity;
  for (let i = 0; i < 7000; i++) {
    if (i === restartAt) {
      await service.stop();
      service = open();
      afterRestart = health();
      firstSeqAfterRestart = (service.store!.newest("m")?.meta.seq ?? 0) + 1;
    }
    send(i, i >= 4000 && i < 6000);
    if (i === 5999) {
      const written = service.store!.candidates("m").filter((c) => c.meta.seq >= firstSeqAfterRestart);
      if (restartAt !== undefined) {
        assert.ok(written.length > 0, "checkpoints were written after the restart");
        assert.ok(written.every((c) => !c.meta.knownGood), `after the restart, the burst's checkpoints are not known-good: ${JSON.stringify(written.map((c) => c.meta))}`);
      }
    }
  }
  const mean = (a: number, b: number) => errors.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
  const result = { pre: mean(3500, 4000), post: mean(6050, 6300), afterRestart, end: health(), lines };
  await service.stop();
  return result;
}

test("a restart mid-burst: the guard resumes on probation and the burst is still rolled back to the pre-burst model", async () => {
  const plain = await run(undefined);
  const restarted = await run(5000);
  console.log(`mean |error| before the burst ${plain.pre.toFixed(3)}; 250 readings after it: ${plain.post.toFixed(3)} without a restart, ${restarted.post.toFixed(3)} restarted mid-burst`);
  const h = restarted.afterRestart!;
  assert.equal(h.guard.state, "probation", `the guard resumed on probation: ${JSON.stringify(h)}`);
  assert.ok(h.rollbacks >= 1, "the rollback count came back with it");
  assert.ok(typeof h.guard.baseline === "number", "the published baseline came back with it");
  assert.ok(plain.post < 1.3 * plain.pre, `without a restart: after ${plain.post} vs before ${plain.pre}`);
  assert.ok(restarted.post < 1.3 * restarted.pre, `with a restart mid-burst: after ${restarted.post} vs before ${restarted.pre}`);
  assert.ok(restarted.end.rollbacks > h.rollbacks, "the burst's end was rolled back after the restart");
  assert.ok(!restarted.lines.some((l) => /guard state .* cannot be used/.test(l)));
});
