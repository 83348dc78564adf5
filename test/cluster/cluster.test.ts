// Cluster mode end to end: real nats-server nodes (JetStream, MQTT listener, partition mapping),
// `edgelearn run` workers as child processes, a publisher over MQTT 3.1.1. The property checked
// after kills, joins, clean stops and a NATS node going down: every device's checkpoint in the
// models bucket is bit-identical to learning that device's readings once each, in order.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { freePort } from "../helpers/mosquitto.js";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { tempDir } from "../helpers/tmp.js";
import { Publisher, ModelsReader, referenceBlob, spawnWorker, writeWorkerConfig, waitFor, kill, type Worker } from "./harness.js";

const P = 8;

test("config errors: no NATS reachable, a bad partition count, another P than the cluster's: a clear message, exit 2", async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const dir = tempDir("cluster-cfg");
  const nobody = await freePort();
  const w1 = spawnWorker(writeWorkerConfig(dir, { servers: [`nats://127.0.0.1:${nobody}`], name: "lonely", partitions: P, replicas: 1 }));
  assert.equal(await w1.exited, 2, w1.log());
  assert.match(w1.log(), /cluster\.servers: no NATS server reachable at nats:\/\/127\.0\.0\.1:\d+/);

  const w2 = spawnWorker(writeWorkerConfig(dir, { servers: [`nats://127.0.0.1:${nobody}`], name: "zero", partitions: 0, replicas: 1 }));
  assert.equal(await w2.exited, 2, w2.log());
  assert.match(w2.log(), /cluster\.partitions/);

  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const ok = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name: "first", partitions: P, replicas: 1 }));
  t.after(() => kill(ok, "SIGKILL"));
  await waitFor("the first worker to own partitions", () => /partition \d+: owned/.test(ok.log()), 20_000);
  const other = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name: "other", partitions: 16, replicas: 1 }));
  assert.equal(await other.exited, 2, other.log());
  assert.match(other.log(), /this worker has P=16 .* the cluster was started with P=8/);
  assert.match(other.log(), /\{\{partition\(8,1\)\}\}/);
  kill(ok, "SIGTERM");
  assert.equal(await ok.exited, 0, ok.log());
});

test("one worker learns every device bit-identically to a single-process replay", async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const dir = tempDir("cluster-one");
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const w = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name: "solo", partitions: P, replicas: 1 }));
  t.after(() => kill(w, "SIGKILL"));
  await waitFor("partitions owned", () => (w.log().match(/partition \d+: owned/g) ?? []).length === P, 20_000);
  const devices = 12;
  const n = 50;
  const pub = await Publisher.open(nats.nodes[0].mqttUrl);
  await pub.publish(devices, 0, n);
  await pub.close();
  const refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, n));
  const models = await ModelsReader.open(nats.servers, P);
  t.after(() => models.close());
  let bad: number[] = [];
  await waitFor("every device checkpointed at its last reading", async () => (bad = await models.mismatches(devices, n, refs)).length === 0, 30_000).catch(() => {
    assert.deepEqual(bad, [], w.log());
  });
  kill(w, "SIGTERM");
  assert.equal(await w.exited, 0, w.log());
});
