// A worker that takes its partitions while one of three NATS nodes is down. nats-server before
// 2.9.12 (Debian's is 2.9.10) places a one-replica consumer on any peer of its stream, the lost
// node included, so some of the worker's consumers cannot be created at first. The worker must
// keep those partitions (retrying with a consumer replicated like the stream, not handing them
// back round after round) and learn every reading exactly once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Publisher, ModelsReader, referenceBlob, waitFor, waitForStream, kill, owned, replicatedCluster } from "./harness.js";

const P = 8;

test("a NATS node down before a worker takes its partitions: none is handed back, every model is the single-process replay", { timeout: 150_000 }, async (t) => {
  const cluster = await replicatedCluster(t, "cluster-node-lost", P);
  if (!cluster) return;
  const { nats } = cluster;
  const start = (name: string) => cluster.start(name, nats.servers.slice(0, 2));
  // w1 creates the stream and the buckets with three replicas each, and learns a first part.
  const w1 = start("w1");
  await waitFor("w1 to own every partition", () => owned(w1) >= P, 30_000);
  const devices = 16;
  const phase = 20;
  const pub = await Publisher.open(nats.nodes[0].mqttUrl);
  await pub.publish(devices, 0, phase);
  const models = await ModelsReader.open(nats.servers.slice(0, 2), P);
  t.after(() => models.close());
  const firstRefs = Array.from({ length: devices }, (_, d) => referenceBlob(d, phase));
  await waitFor("w1's checkpoints of the first part", async () => (await models.mismatches(devices, phase, firstRefs)).length === 0, 30_000);
  kill(w1, "SIGTERM");
  assert.equal(await w1.exited, 0, w1.log());
  // The rest is in the stream before the node goes (MQTT publishing stalls on a node loss).
  await pub.publish(devices, phase, 2 * phase);
  await pub.close();
  await waitForStream(models.nc, devices * 2 * phase, 30_000);

  await nats.nodes[2].kill();
  const w2 = start("w2");
  const n = 2 * phase;
  const refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, n));
  let bad: number[] = [];
  await waitFor("every checkpoint to reach the last reading", async () => (bad = await models.mismatches(devices, n, refs)).length === 0, 90_000).catch(async () => {
    assert.deepEqual(bad, [], `devices whose model differs from the replay (expected ${n} readings each)\n${await models.describe(bad)}\n--- w2\n${w2.log().slice(-4000)}`);
  });
  const log = w2.log();
  const first = (log.match(/not created yet/g) ?? []).length;
  const again = (log.match(/cannot recreate its consumer/g) ?? []).length;
  t.diagnostic(`w2: ${first} of ${P} partitions' first consumers not created (placed on the lost node), ${again} replicated ones failed after that`);
  assert.doesNotMatch(log, /cannot start|giving it back|released/, `w2 handed a partition back\n${log.slice(-4000)}`);
  assert.equal(owned(w2), P, `w2 took each partition once\n${log.slice(-4000)}`);
  kill(w2, "SIGTERM");
  assert.equal(await w2.exited, 0, w2.log());
});
