// One partition owner in this process, against one nats-server, with the models bucket's requests
// failing on purpose. What it must hold:
// - the floor (where the next owner starts reading) never moves past a reading whose device's
//   checkpoint was not stored: a write that keeps conflicting, or whose conflict cannot be read
//   back, keeps the device dirty and the floor where it was, and the next round stores both;
// - a worker whose device pool cannot hold a partition's checkpointed devices does not own it
//   (an owner that left one out would refuse its readings while the floor moved past them);
// - checkpoints and floors are read from the stream's leader, never through direct gets (which a
//   lagging replica may answer).

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import { jetstream } from "@nats-io/jetstream";
import { loadConfig } from "../../host/config/load.js";
import { ensureCluster } from "../../host/cluster/nats.js";
import { LeaseTable } from "../../host/cluster/leases.js";
import { ClusterLearner } from "../../host/cluster/learn.js";
import { DevicePoolFull, PartitionOwner, type PartitionCounters } from "../../host/cluster/partition.js";
import { Subjects, floorKey, modelKey } from "../../host/cluster/names.js";
import { decodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { compileLearner, DEFAULT_WASM } from "../../host/learner/index.js";
import { memoryLogger } from "../../host/logger.js";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { waitFor } from "./harness.js";

type Failure = { key: string; get: "read" | "throw" } | undefined;

/** The bucket with create/update of `failure.key` answering "wrong last sequence" (another
 *  writer's revision), and its read-back answering or throwing. */
function failing(kv: KV, failure: () => Failure): KV {
  return new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === "create" || prop === "update") {
        return (key: string, ...rest: unknown[]) => {
          if (failure()?.key === key) return Promise.reject(new Error("wrong last sequence: 7"));
          return (v as (...a: unknown[]) => Promise<number>).call(target, key, ...rest);
        };
      }
      if (prop === "get") {
        return (key: string, ...rest: unknown[]) => {
          const f = failure();
          if (f?.key === key && f.get === "throw") return Promise.reject(new Error("TIMEOUT"));
          return (v as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

test("partition owner: the floor waits for every device's checkpoint; a partition that does not fit the device pool is not taken; no direct gets", { timeout: 60_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: 1 });
  t.after(() => nats.stop());
  const config = (maxDevices: number) =>
    loadConfig({
      env: {},
      overrides: {
        model: { task: "regression", target: "y", features: ["x"] },
        cluster: { servers: nats.servers, name: "t", partitions: 1, replicas: 1, leaseSeconds: 3, checkpointSeconds: 60, maxInflight: 256 },
        pool: { maxDevices },
      },
    });
  const c = config(4);
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  // Every get on the models bucket's stream (any client's in the account) passes here.
  const spy = await connect({ servers: nats.servers });
  t.after(() => spy.close());
  let directGets = 0;
  let leaderGets = 0;
  const bucketStream = `KV_${c.cluster.modelsBucket}`;
  spy.subscribe(`$JS.API.DIRECT.GET.${bucketStream}`, { callback: () => void directGets++ });
  spy.subscribe(`$JS.API.DIRECT.GET.${bucketStream}.>`, { callback: () => void directGets++ });
  spy.subscribe(`$JS.API.STREAM.MSG.GET.${bucketStream}`, { callback: () => void leaderGets++ });
  await spy.flush();

  const h = await ensureCluster(nc, c.cluster, "sensors");
  const module = compileLearner(DEFAULT_WASM);
  const subjects = new Subjects(c.cluster.subject, "edgelearn");
  const { logger, lines } = memoryLogger();
  const counters: PartitionCounters = { skipped: 0, wrongPartition: 0, badName: 0, checkpoints: 0, conflicts: 0, published: 0, deliveryGaps: 0 };
  let failure: Failure;
  const models = failing(h.models, () => failure);
  const owner = (learner: ClusterLearner, leases: LeaseTable) =>
    new PartitionOwner(0, { worker: "t", config: c.cluster, nc, jsm: h.jsm, models, leases, learner, subjects, bridge: undefined, log: logger, counters });

  const learner = new ClusterLearner(c, logger, module);
  const leases = new LeaseTable(h.leases, "t", c.cluster.leaseSeconds);
  assert.ok(await leases.acquire(0));
  const o = owner(learner, leases);
  // A failed assertion must not leave the owner's timers holding the process open.
  t.after(() => o.release().catch(() => undefined));
  await o.start();
  const js = jetstream(nc);
  for (let i = 0; i < 5; i++) {
    for (const d of ["dev-a", "dev-b"]) await js.publish(`${c.cluster.subject}.0.${d}`, JSON.stringify({ x: i, y: 2 * i + 1 }));
  }
  const seqOf = (d: string) => learner.pool.get(d)?.meta.seq ?? 0;
  await waitFor("ten readings learned", () => seqOf("dev-a") === 9 && seqOf("dev-b") === 10, 10_000);
  const stored = async (key: string) => {
    const e = await h.models.get(key);
    return e && e.operation === "PUT" ? e : null;
  };
  const checkpointSeq = async (d: string) => {
    const e = await stored(modelKey(0, d));
    const cp = e ? decodeCheckpoint(e.value) : "absent";
    return typeof cp === "string" ? cp : cp.seq;
  };

  // Writes of dev-a conflict on every attempt and read back nothing: stored is only dev-b's.
  failure = { key: modelKey(0, "dev-a"), get: "read" };
  await o.checkpoint();
  assert.equal(await checkpointSeq("dev-b"), 10);
  assert.equal(await checkpointSeq("dev-a"), "absent");
  assert.equal(await stored(floorKey(0)), null, "no floor while dev-a's readings are in no checkpoint");
  // The same with the read-back failing (a timeout).
  failure = { key: modelKey(0, "dev-a"), get: "throw" };
  await o.checkpoint();
  assert.equal(await stored(floorKey(0)), null, "still no floor");
  // Answering again: the next round stores dev-a (kept dirty) and then the floor.
  failure = undefined;
  await o.checkpoint();
  assert.equal(await checkpointSeq("dev-a"), 9, "dev-a stored at its last reading");
  assert.equal((await stored(floorKey(0)))?.string(), "10", "the floor past every reading once all are stored");
  assert.equal(counters.conflicts, 4, "three attempts, then one whose read-back failed");
  await o.release();
  assert.equal(learner.pool.size, 0, "released: the devices left the pool");

  // A worker whose pool holds one device does not take a partition with two checkpointed.
  const small = new ClusterLearner(config(1), logger, module);
  const leases2 = new LeaseTable(h.leases, "t2", c.cluster.leaseSeconds);
  assert.ok(await leases2.acquire(0));
  const o2 = owner(small, leases2);
  t.after(() => o2.release().catch(() => undefined));
  await assert.rejects(o2.start(), (e: unknown) => {
    assert.ok(e instanceof DevicePoolFull);
    assert.match((e as Error).message, /partition 0 has 2 checkpointed devices .* room for 1 \(pool.maxDevices 1\)/);
    return true;
  });
  await o2.release();
  assert.equal(small.pool.size, 0, "nothing left in the pool");
  assert.equal(await checkpointSeq("dev-a"), 9, "checkpoints untouched");
  assert.equal((await stored(floorKey(0)))?.string(), "10", "floor untouched");

  await spy.flush();
  await nc.flush();
  assert.equal(directGets, 0, "no direct gets");
  assert.ok(leaderGets > 0, "the gets went to the stream's leader");
  assert.ok(!lines.some((l) => /^error/.test(l)), lines.join("\n"));
});
