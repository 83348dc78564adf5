// A worker whose owner dropped the partition by itself (its lease ran out before a reading, as
// when the worker's event loop was held up past the lease) retires that owner at its next lease
// round and takes the partition again from the checkpoints. Before, an owner that dropped its own
// lease was never retired: the worker kept counting it as owned and the partition was read by
// nobody (found by the cluster bench, which drains a backlog with 3-s leases).

import { test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "./harness.js";
import { oneNodeWorker } from "./in-process-worker.js";

test("cluster worker: a partition whose owner dropped it is taken again", { timeout: 60_000 }, async (t) => {
  const one = await oneNodeWorker(t, 2);
  if (!one) return;
  const { w, lines } = await one.start();
  await waitFor("both partitions owned", () => w.owners.size === 2 && [...w.owners.values()].every((o) => o.live), 20_000);
  const first = w.owners.get(0)!;
  await first.lost("its lease expired before this reading (test)");
  // An owner is live once its checkpoints are loaded, before it logs "owned" (after its consumer
  // is created): wait for both.
  const owned = () => lines.filter((l) => /partition 0: owned/.test(l)).length;
  await waitFor("partition 0 owned again", () => {
    const o = w.owners.get(0);
    return o !== undefined && o !== first && o.live && owned() >= 2;
  }, 20_000);
  assert.equal(owned(), 2, lines.join("\n"));
});
