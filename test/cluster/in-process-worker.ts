// A cluster worker in this process against one nats-server (regression of y on x, no MQTT, no
// HTTP), for tests that look inside it or change it (its leases, its learner) while it runs.

import type { TestContext } from "node:test";
import { loadConfig } from "../../host/config/load.js";
import type { Config } from "../../host/config/types.js";
import { ClusterWorker } from "../../host/cluster/worker.js";
import { memoryLogger } from "../../host/logger.js";
import { requireNatsServer, startNatsCluster, type NatsCluster } from "../helpers/nats.js";

export interface OneNodeWorker {
  nats: NatsCluster;
  config: Config;
  /** Starts worker "w"; every line it logs goes to `lines`. */
  start(): Promise<{ w: ClusterWorker; lines: string[] }>;
}

/** One nats-server node for `partitions` partitions and a worker's config on it (`cluster`
 *  overrides the defaults here); undefined when nats-server is missing (skipped). */
export async function oneNodeWorker(t: TestContext, partitions: number, cluster: Record<string, unknown> = {}): Promise<OneNodeWorker | undefined> {
  const bin = requireNatsServer(t);
  if (!bin) return undefined;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions });
  let w: ClusterWorker | undefined;
  // The worker stops (gives its partitions back, closes its connection) before the server does:
  // the other way round, its connection keeps reconnecting and holds the process open.
  t.after(async () => {
    await w?.stop().catch(() => undefined);
    await nats.stop();
  });
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["x"] },
      cluster: { servers: nats.servers, name: "w", partitions, replicas: 1, leaseSeconds: 3, checkpointSeconds: 1, maxInflight: 256, mqtt: false, ...cluster },
      http: { enabled: false },
    },
  });
  return {
    nats,
    config,
    async start() {
      const { logger, lines } = memoryLogger();
      w = await ClusterWorker.start(config, { logger });
      return { w, lines };
    },
  };
}
