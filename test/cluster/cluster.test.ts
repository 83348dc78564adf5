// Cluster mode end to end on one nats-server node (JetStream, MQTT listener, partition mapping):
// `edgelearn run` workers as child processes, a publisher over MQTT 3.1.1. Configuration errors,
// one worker learning bit-identically to a single-process replay, and a stale owner that must
// neither write nor publish. The 3-node handover test is handover.test.ts.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { partitionOf } from "../../host/cluster/names.js";
import { freePort } from "../helpers/mosquitto.js";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { tempDir } from "../helpers/tmp.js";
import { Publisher, ModelsReader, referenceBlob, spawnWorker, writeWorkerConfig, waitFor, kill, owned, deviceName, publishAndExpectReplay } from "./harness.js";

const P = 8;

test("config errors: a bad partition count, another P than the cluster's: a clear message, exit 2; no NATS reachable: exit 1", async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const dir = tempDir("cluster-cfg");
  const nobody = await freePort();
  // Not a configuration error: it exited 2, which the systemd unit never restarts, so a worker
  // started before nats-server (at boot) stayed down for good.
  const w1 = spawnWorker(writeWorkerConfig(dir, { servers: [`nats://127.0.0.1:${nobody}`], name: "lonely", partitions: P, replicas: 1 }));
  assert.equal(await w1.exited, 1, w1.log());
  assert.match(w1.log(), /no NATS server reachable at nats:\/\/127\.0\.0\.1:\d+ .*is nats-server running/);

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

/**
 * One worker on one node (`streams` streams) learns 12 devices × 50 readings published over MQTT;
 * every model in the bucket must equal the single-process replay. undefined: no nats-server.
 */
async function learnOnOneWorker(t: TestContext, name: string, streams: number) {
  const bin = requireNatsServer(t);
  if (!bin) return undefined;
  const dir = tempDir(`cluster-${name}`);
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const w = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name, partitions: P, streams, replicas: 1 }));
  t.after(() => kill(w, "SIGKILL"));
  await waitFor("partitions owned", () => owned(w) === P, 20_000);
  const devices = 12;
  const n = 50;
  const models = await publishAndExpectReplay(t, nats, w, { devices, n, partitions: P, timeoutMs: 30_000 });
  return { dir, nats, w, models, devices, n };
}

test("one worker learns every device bit-identically to a single-process replay", async (t) => {
  const r = await learnOnOneWorker(t, "solo", 1);
  if (!r) return;
  kill(r.w, "SIGTERM");
  assert.equal(await r.w.exited, 0, r.w.log());
});

test("partitions spread over 3 streams (p in stream p mod 3): every device bit-identical to the replay; another stream count is refused, exit 2", async (t) => {
  const r = await learnOnOneWorker(t, "spread", 3);
  if (!r) return;
  const { dir, nats, w, models, devices, n } = r;
  // Each stream holds exactly the readings of its partitions.
  const jsm = await jetstreamManager(models.nc);
  let total = 0;
  for (let s = 0; s < 3; s++) {
    const info = await jsm.streams.info(`EDGELEARN_READINGS_${s}`);
    const expected = Array.from({ length: devices }, (_, d) => d).filter((d) => partitionOf(deviceName(d), P) % 3 === s).length * n;
    assert.equal(info.state.messages, expected, `stream ${s}`);
    total += info.state.messages;
  }
  assert.equal(total, devices * n);
  const other = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name: "other", partitions: P, streams: 2, replicas: 1 }));
  assert.equal(await other.exited, 2, other.log());
  assert.match(other.log(), /2 stream\(s\)\), the cluster was started with P=8 .*3 stream\(s\)/);
  kill(w, "SIGTERM");
  assert.equal(await w.exited, 0, w.log());
});

test("a stale owner (SIGSTOP past its lease, then SIGCONT) neither writes its old models nor publishes as owner", { timeout: 90_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const dir = tempDir("cluster-stale");
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: 4 });
  t.after(() => nats.stop());
  const cfg = (name: string) => writeWorkerConfig(dir, { servers: nats.servers, name, partitions: 4, replicas: 1, leaseSeconds: 2 });
  const w1 = spawnWorker(cfg("w1"), "w1");
  t.after(() => kill(w1, "SIGKILL"));
  await waitFor("w1 to own every partition", () => owned(w1) === 4, 30_000);

  // Every output names its publisher and the lease (partition.epoch) it published under.
  const seen: { worker: string; lease: string; at: number }[] = [];
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  nc.subscribe("edgelearn.*.prediction", { callback: (_e, m) => void seen.push({ worker: m.headers?.get("Edgelearn-Worker") ?? "", lease: m.headers?.get("Edgelearn-Lease") ?? "", at: Date.now() }) });

  const devices = 8;
  const models = await ModelsReader.open(nats.servers, 4);
  t.after(() => models.close());
  const pub = await Publisher.open(nats.nodes[0].mqttUrl);
  await pub.publish(devices, 0, 30);
  let refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, 30));
  await waitFor("w1's checkpoints", async () => (await models.mismatches(devices, 30, refs)).length === 0, 30_000);
  const w1Leases = new Set(seen.filter((s) => s.worker === "w1").map((s) => s.lease));
  assert.ok(w1Leases.size > 0);

  kill(w1, "SIGSTOP");
  const w2 = spawnWorker(cfg("w2"), "w2");
  t.after(() => kill(w2, "SIGKILL"));
  await waitFor("w2 to take every partition from the paused w1", () => owned(w2) === 4, 30_000);
  await pub.publish(devices, 30, 60);
  refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, 60));
  await waitFor("w2's checkpoints", async () => (await models.mismatches(devices, 60, refs)).length === 0, 30_000);

  const resumed = Date.now();
  kill(w1, "SIGCONT");
  await waitFor("w1 to notice it lost its partitions", () => (w1.log().match(/partition \d+: lost/g) ?? []).length === 4, 15_000);
  await pub.publish(devices, 60, 90);
  await pub.close();
  refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, 90));
  let bad: number[] = [];
  await waitFor("the last checkpoints", async () => (bad = await models.mismatches(devices, 90, refs)).length === 0, 30_000).catch(() => {
    assert.deepEqual(bad, [], `${w1.log().slice(-2000)}\n--- w2\n${w2.log().slice(-2000)}`);
  });
  const stale = seen.filter((s) => s.worker === "w1" && s.at >= resumed && w1Leases.has(s.lease));
  assert.deepEqual(stale, [], "w1 published under a lease it had lost");
  kill(w1, "SIGTERM");
  kill(w2, "SIGTERM");
  assert.equal(await w1.exited, 0, w1.log());
  assert.equal(await w2.exited, 0, w2.log());
});
