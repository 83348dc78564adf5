// One partition in this process against one nats-server: the config, the cluster's stream and
// buckets, and partition owners on learners of their own (as separate workers would hold them),
// for tests of what an owner learns, refuses, writes and loads without worker processes.

import type { TestContext } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { loadConfig } from "../../host/config/load.js";
import type { Config } from "../../host/config/types.js";
import { ensureCluster, type ClusterHandles } from "../../host/cluster/nats.js";
import { LeaseTable } from "../../host/cluster/leases.js";
import { ClusterLearner } from "../../host/cluster/learn.js";
import { PartitionOwner, type PartitionCounters } from "../../host/cluster/partition.js";
import { Subjects } from "../../host/cluster/names.js";
import { compileLearner, DEFAULT_WASM } from "../../host/learner/index.js";
import { memoryLogger } from "../../host/logger.js";
import { requireNatsServer, startNatsCluster, type NatsCluster } from "../helpers/nats.js";

/** One nats-server node for partition 0 of 1, stopped after the test; undefined when nats-server is missing (skipped). */
export async function oneNatsServer(t: TestContext): Promise<NatsCluster | undefined> {
  const bin = requireNatsServer(t);
  if (!bin) return undefined;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: 1 });
  t.after(() => nats.stop());
  return nats;
}

/** A worker's config on `nats` (regression of y on x unless `overrides` say otherwise). */
export function oneNodeConfig(nats: NatsCluster, overrides: Record<string, unknown>): Config {
  return loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["x"] },
      ...overrides,
      cluster: { servers: nats.servers, name: "t", partitions: 1, replicas: 1, leaseSeconds: 3, checkpointSeconds: 60, maxInflight: 256 },
    },
  });
}

export interface OnePartition {
  h: ClusterHandles;
  nc: NatsConnection;
  /** Every line the owners and learners logged. */
  lines: string[];
  /** A learner as a worker with `config` would have (the partition's config by default). */
  learner(config?: Config): ClusterLearner;
  /** Takes partition 0 as worker `worker` (its lease, then its checkpoints loaded; `models` in place of the bucket); given back after the test. */
  own(worker: string, learner: ClusterLearner, models?: KV): Promise<PartitionOwner>;
  /** Publishes a reading of `device` into partition 0; its stream sequence. */
  send(device: string, body: string): Promise<number>;
}

export async function onePartition(t: TestContext, nats: NatsCluster, config: Config): Promise<OnePartition> {
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  const h = await ensureCluster(nc, config.cluster, "sensors");
  const module = compileLearner(DEFAULT_WASM);
  const { logger, lines } = memoryLogger();
  const counters: PartitionCounters = { skipped: 0, wrongPartition: 0, badName: 0, checkpoints: 0, conflicts: 0, published: 0, deliveryGaps: 0 };
  const subjects = new Subjects(config.cluster.subject, "edgelearn");
  const js = jetstream(nc);
  return {
    h,
    nc,
    lines,
    learner: (c = config) => new ClusterLearner(c, logger, module),
    async own(worker, learner, models = h.models) {
      const leases = new LeaseTable(h.leases, worker, config.cluster.leaseSeconds);
      if (!(await leases.acquire(0))) throw new Error(`${worker} did not get partition 0's lease`);
      const o = new PartitionOwner(0, { worker, config: config.cluster, nc, jsm: h.jsm, models, leases, learner, subjects, bridge: undefined, log: logger, counters });
      // A failed assertion must not leave the owner's timers holding the process open.
      t.after(() => o.release().catch(() => undefined));
      await o.start();
      return o;
    },
    send: async (device, body) => (await js.publish(`${config.cluster.subject}.0.${device}`, body)).seq,
  };
}
