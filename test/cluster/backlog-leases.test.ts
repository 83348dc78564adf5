// A worker keeps its leases while it drains a backlog. Readings already received reach the
// partition readers as promise continuations, one after another, and a checkpoint round makes
// its snapshots and requests the same way: without a break, the event loop could not run the
// worker's lease round until all of that was done. With learning, or snapshots, made slow here
// (milliseconds each), one batch of buffered readings, or one checkpoint round, takes longer than
// the lease: before readers and checkpoint rounds let the event loop go round, the worker's leases
// passed their deadlines and it lost its own partitions, took them again and replayed them.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import type { ClusterWorker } from "../../host/cluster/worker.js";
import { ensureCluster } from "../../host/cluster/nats.js";
import { partitionOf } from "../../host/cluster/names.js";
import { waitFor } from "./harness.js";
import { oneNodeWorker } from "./in-process-worker.js";

const P = 2;

function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

interface Drain {
  w: ClusterWorker;
  lines: string[];
  /** Renewals sent after their lease's deadline had passed (the lease lapsed before them). */
  late: number[];
  lost(): string[];
}

/**
 * `readings` readings (reading i of device i mod `devices`) on the stream of a 1-node NATS, then
 * a worker with 2-s leases in this process, `slow` applied to it before its first reading.
 */
async function drain(t: TestContext, devices: number, readings: number, slow: (w: ClusterWorker) => void): Promise<Drain | undefined> {
  const one = await oneNodeWorker(t, P, { leaseSeconds: 2, maxInflight: 512 });
  if (!one) return undefined;
  const { nats, config } = one;
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  await ensureCluster(nc, config.cluster, "sensors");
  const js = jetstream(nc);
  for (let i = 0; i < readings; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, readings - i) }, (_, k) => {
        const name = `dev-${(i + k) % devices}`;
        const x = Math.sin((i + k) * 0.37) * 10;
        return js.publish(`${config.cluster.subject}.${partitionOf(name, P)}.${name}`, JSON.stringify({ x, y: 2 * x + 1 }));
      }),
    );
  }

  const { w, lines } = await one.start();
  // In place before the first reading: the worker is still taking its partitions.
  slow(w);
  const leases = w.leases;
  const renew = leases.renew.bind(leases);
  const late: number[] = [];
  leases.renew = (p) => {
    const l = leases.held.get(p);
    if (l && !leases.holds(l)) late.push(p);
    return renew(p);
  };
  return { w, lines, late, lost: () => lines.filter((l) => /partition \d+: lost/.test(l)) };
}

test("cluster worker: learning a backlog slower than its lease, it keeps every partition and learns each reading once", { timeout: 120_000 }, async (t) => {
  const READINGS = 800;
  const d = await drain(t, 8, READINGS, (w) => {
    const learner = w.learner;
    const reading = learner.reading.bind(learner);
    const firstReading = learner.firstReading.bind(learner);
    // 8 ms a reading: the backlog is over three leases of learning.
    learner.reading = (...a) => (burn(8), reading(...a));
    learner.firstReading = (...a) => (burn(8), firstReading(...a));
  });
  if (!d) return;
  const learner = d.w.learner;
  // A lost partition is taken again and replayed: the count reaches READINGS either way.
  await waitFor("every reading learned", () => learner.readings >= READINGS, 90_000);
  assert.deepEqual(d.lost(), [], "no lease lapsed during the drain");
  assert.deepEqual(d.late, [], "every renewal was sent before its lease's deadline");
  assert.equal(d.lines.filter((l) => /partition \d+: owned/.test(l)).length, P, "each partition taken once");
  assert.equal(learner.readings, READINGS, "each reading learned once");
  assert.equal(d.w.counters.skipped, 0, "nothing replayed");
});

test("cluster worker: a checkpoint round of more changed devices than a lease can snapshot keeps every partition", { timeout: 120_000 }, async (t) => {
  const DEVICES = 1600;
  const d = await drain(t, DEVICES, DEVICES, (w) => {
    const pool = w.learner.pool;
    const snapshot = pool.snapshot.bind(pool);
    // 4 ms a snapshot: a round of 800 devices a partition is over a lease of snapshots.
    pool.snapshot = (dev) => (burn(4), snapshot(dev));
  });
  if (!d) return;
  await waitFor("every device checkpointed, or a lease lapsed", () => d.w.counters.checkpoints >= DEVICES || d.late.length > 0 || d.lost().length > 0, 90_000);
  assert.deepEqual(d.lost(), [], "no lease lapsed during the checkpoint rounds");
  assert.deepEqual(d.late, [], "every renewal was sent before its lease's deadline");
  assert.equal(d.lines.filter((l) => /partition \d+: owned/.test(l)).length, P, "each partition taken once");
  assert.equal(d.w.learner.readings, DEVICES, "each reading learned once");
});
