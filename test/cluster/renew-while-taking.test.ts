// A worker renews the leases it holds while it is still taking partitions. Taking is one request
// per partition, one after another, and one can take long: behind a backlog being learned (64
// partitions took over 3 s, one round trip after another) or until its timeout while a NATS node
// is down. Renewals used to wait for the whole taking round, so the first partitions' 3-s leases
// passed their deadlines before the worker had taken the last ones. Here the second partition's
// take does not answer until the test lets it: the first partition's lease must be renewed
// meanwhile.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Lease } from "../../host/cluster/leases.js";
import { waitFor } from "./harness.js";
import { oneNodeWorker } from "./in-process-worker.js";

test("cluster worker: a partition's lease is renewed while taking another one hangs", { timeout: 60_000 }, async (t) => {
  const one = await oneNodeWorker(t, 2, { leaseSeconds: 2 });
  if (!one) return;
  const { w, lines } = await one.start();
  let answer: () => void = () => {};
  const leases = w.leases;
  // The first take goes through (it may have been sent already); the next waits for the test.
  const acquire = leases.acquire.bind(leases);
  let hangingTakes = 0;
  const hanging = new Promise<void>((r) => (answer = r));
  leases.acquire = async (p) => {
    if (leases.held.size === 0) return acquire(p);
    hangingTakes++;
    await hanging;
    return acquire(p);
  };
  let first: Lease | undefined;
  const renew = leases.renew.bind(leases);
  let renewed = 0;
  leases.renew = async (p) => {
    const ok = await renew(p);
    if (ok && p === first?.partition) renewed++;
    return ok;
  };

  // Whatever the outcome, the hanging take is answered, so that the worker can stop.
  try {
    await waitFor("the first partition taken", () => (first = [...leases.held.values()][0]) !== undefined, 20_000);
    // Three renewals (a round every third of a lease) while the second take hangs, or the lease
    // past its deadline: whichever comes first.
    await waitFor("three renewals, or the lease's deadline passed", () => renewed >= 3 || !leases.holds(first), 20_000);
    assert.ok(leases.holds(first), `the first partition's lease lapsed while the second was being taken\n${lines.join("\n")}`);
    assert.equal(hangingTakes, 1, "the second take is still hanging");
  } finally {
    answer();
  }
  await waitFor("both partitions owned", () => w.owners.size === 2, 20_000);
  assert.deepEqual(lines.filter((l) => /lost/.test(l)), []);
});
