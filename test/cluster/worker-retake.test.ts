// A worker whose owner dropped the partition by itself (its lease ran out before a reading, as
// when the worker's event loop was held up past the lease) retires that owner at its next lease
// round and takes the partition again from the checkpoints. Before, an owner that dropped its own
// lease was never retired: the worker kept counting it as owned and the partition was read by
// nobody (found by the cluster bench, which drains a backlog with 3-s leases).

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { ClusterWorker } from "../../host/cluster/worker.js";
import { memoryLogger } from "../../host/logger.js";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { waitFor } from "./harness.js";

test("cluster worker: a partition whose owner dropped it is taken again", { timeout: 60_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: 2 });
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
      cluster: { servers: nats.servers, name: "w", partitions: 2, replicas: 1, leaseSeconds: 3, checkpointSeconds: 1, maxInflight: 256, mqtt: false },
      http: { enabled: false },
    },
  });
  const { logger, lines } = memoryLogger();
  w = await ClusterWorker.start(config, { logger });
  await waitFor("both partitions owned", () => w!.owners.size === 2 && [...w!.owners.values()].every((o) => o.live), 20_000);
  const worker = w;
  const first = worker.owners.get(0)!;
  await first.lost("its lease expired before this reading (test)");
  // An owner is live once its checkpoints are loaded, before it logs "owned" (after its consumer
  // is created): wait for both.
  const owned = () => lines.filter((l) => /partition 0: owned/.test(l)).length;
  await waitFor("partition 0 owned again", () => {
    const o = worker.owners.get(0);
    return o !== undefined && o !== first && o.live && owned() >= 2;
  }, 20_000);
  assert.equal(owned(), 2, lines.join("\n"));
});
