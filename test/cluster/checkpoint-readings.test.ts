// The readings a cluster checkpoint records (its `snapshot` reply and last_checkpoint in device
// health) are the model's own count, as on a single host: the worker's count starts at 0 in each
// worker that loads the device, counts payloads refused before the model, and does not go back
// with a reset, so a checkpoint said 2 readings after a handover of a model that had seen 6.

import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterDeviceHealth } from "../../host/cluster/device-health.js";
import type { ClusterLearner } from "../../host/cluster/learn.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

/** dev-1's health as its owner would publish it: the host's count, the model's, the checkpoint's. */
function counts(learner: ClusterLearner): { readings: unknown; model: unknown; checkpoint: unknown } {
  const h = clusterDeviceHealth(learner, learner.pool.get("dev-1")!, "t", Date.now());
  const model = h.model as { readings: number } | null;
  const lc = h.last_checkpoint as { readings: number } | null;
  return { readings: h.readings, model: model?.readings, checkpoint: lc?.readings };
}

test("cluster checkpoint: its readings are the model's count, at rest, after a handover and after a reset", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  // One hot instance: dev-2's reading puts dev-1 at rest before the checkpoint.
  const part = await onePartition(t, nats, oneNodeConfig(nats, { pool: { hotInstances: 1 } }));
  const { send, own } = part;
  const good = (i: number) => JSON.stringify({ x: i, y: 2 * i + 1 });

  const a = part.learner();
  const ownerA = await own("a", a);
  for (let i = 0; i < 3; i++) await send("dev-1", good(i));
  await send("dev-1", "not json"); // refused before the model: counted by the worker only
  await send("dev-1", good(3));
  const last = await send("dev-2", good(0));
  await waitFor("A learned dev-2", () => a.pool.get("dev-2")?.meta.seq === last, 10_000);
  assert.equal(a.pool.get("dev-1")!.slot, -1, "dev-1 is at rest");
  await ownerA.checkpoint();
  assert.deepEqual(counts(a), { readings: 5, model: 4, checkpoint: 4 });
  await ownerA.release();

  // A new owner loads the model that has seen 4 readings; its own count starts at 0.
  const b = part.learner();
  const ownerB = await own("b", b);
  assert.deepEqual(counts(b), { readings: 0, model: 4, checkpoint: 4 }, "health names the checkpoint it loaded, before any reading");
  let seq = 0;
  for (let i = 4; i < 6; i++) seq = await send("dev-1", good(i));
  await waitFor("B learned dev-1", () => b.pool.get("dev-1")?.meta.seq === seq, 10_000);
  assert.equal(await ownerB.checkpointNow(b.pool.get("dev-1")!), true);
  assert.equal(b.pool.get("dev-1")!.meta.lastCheckpoint!.readings, 6, "4 before the handover and 2 since");
  assert.deepEqual(counts(b), { readings: 2, model: 6, checkpoint: 6 });

  assert.equal(await ownerB.reset(b.pool.get("dev-1")!), true);
  assert.deepEqual(counts(b), { readings: 2, model: 0, checkpoint: 0 }, "a reset model has seen none");
});
