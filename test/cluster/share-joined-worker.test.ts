// A worker that is taking partitions stops at its share as soon as it sees another worker join,
// instead of taking every free partition and giving the excess back a round later. A partition
// given back is read again by its next owner from the middle of the stream, which on nats-server
// 2.9.10–2.9.14 delivers a few readings a second (docs/SCALING.md, "Leases under load"): two
// workers started together lost their drain rate that way. Here the other worker is only its
// heartbeat in the leases bucket, put as the first partition is being taken; it takes nothing, so
// the worker must hold half the partitions and never give one back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { LeaseTable } from "../../host/cluster/leases.js";
import { waitFor } from "./harness.js";
import { oneNodeWorker } from "./in-process-worker.js";

test("cluster worker: a worker seen joining during a taking round stops that round at its share", { timeout: 60_000 }, async (t) => {
  const P = 4;
  const one = await oneNodeWorker(t, P);
  if (!one) return;
  const nc = await connect({ servers: one.nats.servers });
  const others = await new Kvm(nc).open(one.config.cluster.leasesBucket);
  let beat: NodeJS.Timeout | undefined;
  let most = 0;
  // From the worker's first take on, another worker is alive (its heartbeat renewed well within
  // the lease). The table is patched before the worker starts: its first round begins at once.
  const acquire = LeaseTable.prototype.acquire;
  LeaseTable.prototype.acquire = async function (this: LeaseTable, p: number) {
    if (!beat) {
      const put = () => void others.put("w.other", String(Date.now())).catch(() => undefined);
      put();
      beat = setInterval(put, 500);
      await waitFor("the other worker seen", () => this.survey().workers === 2, 10_000);
    }
    const l = await acquire.call(this, p);
    most = Math.max(most, this.held.size);
    return l;
  };
  try {
    const { w, lines } = await one.start();
    await waitFor("half the partitions owned", () => w.owners.size === P / 2, 20_000);
    // Two more sharing rounds (one every third of a 3-s lease): nothing more taken, nothing given back.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(w.owners.size, P / 2);
    assert.equal(most, P / 2, `partitions taken beyond the worker's share\n${lines.join("\n")}`);
    assert.deepEqual(lines.filter((l) => /released|lost/.test(l)), []);
  } finally {
    LeaseTable.prototype.acquire = acquire;
    clearInterval(beat);
    await nc.close();
  }
});
