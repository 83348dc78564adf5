// The lease table against an in-memory bucket: a lease that was replaced by a newer one of the
// same partition (the worker gave the partition up, then took it again while the old owner was
// still closing) is never released or dropped in the newer one's place, and only the current
// lease counts as held.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { KV } from "@nats-io/kv";
import { LeaseTable } from "../../host/cluster/leases.js";

/** The few KV calls the lease table makes, with the server's compare-and-set rules. */
class MemoryBucket {
  readonly entries = new Map<string, { value: string; revision: number }>();
  deletes: string[] = [];
  private revision = 0;

  async create(key: string, value: string): Promise<number> {
    if (this.entries.has(key)) throw new Error("wrong last sequence: key exists");
    this.entries.set(key, { value, revision: ++this.revision });
    return this.revision;
  }
  async update(key: string, value: string, last: number): Promise<number> {
    if (this.entries.get(key)?.revision !== last) throw new Error("wrong last sequence");
    this.entries.set(key, { value, revision: ++this.revision });
    return this.revision;
  }
  async delete(key: string, o?: { previousSeq?: number }): Promise<void> {
    if (o?.previousSeq !== undefined && this.entries.get(key)?.revision !== o.previousSeq) throw new Error("wrong last sequence");
    this.entries.delete(key);
    this.deletes.push(key);
  }
  /** The server's TTL: the key is gone. */
  expire(key: string): void {
    this.entries.delete(key);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a replaced lease is neither released nor dropped in place of the current one", async () => {
  const kv = new MemoryBucket();
  // 0.3 s leases: the local deadline is 50 ms after each renewal (TTL minus a 250 ms margin)
  const leases = new LeaseTable(kv as unknown as KV, "w1", 0.3);

  const old = await leases.acquire(4);
  assert.ok(old && leases.holds(old));
  // The old owner is still closing when its lease runs out and the key expires ...
  await sleep(70);
  assert.equal(leases.holds(old), false, "past its deadline");
  kv.expire("p.4");
  // ... and the worker takes the partition again.
  const current = await leases.acquire(4);
  assert.ok(current && current !== old && leases.holds(current));
  assert.equal(leases.holds(old), false, "the old lease is not the partition's current one");

  // The old owner finishes closing: nothing of the current lease may go.
  await leases.release(old);
  leases.drop(old);
  assert.deepEqual(kv.deletes, []);
  assert.equal(kv.entries.get("p.4")?.revision, current.revision);
  assert.equal(leases.held.get(4), current);

  // The current owner's release deletes its own key, once.
  current.deadline = performance.now() + 10_000;
  await leases.release(current);
  assert.deepEqual(kv.deletes, ["p.4"]);
  assert.equal(leases.held.has(4), false);
  await leases.release(current);
  assert.deepEqual(kv.deletes, ["p.4"], "a second release does nothing");
});

test("a lease given up before its deadline deletes the key only at its own revision", async () => {
  const kv = new MemoryBucket();
  const leases = new LeaseTable(kv as unknown as KV, "w1", 60);
  const l = await leases.acquire(2);
  assert.ok(l);
  // Someone else's write to the key since (the key expired and another worker created it):
  kv.entries.set("p.2", { value: "w2/other", revision: 99 });
  await leases.release(l);
  assert.deepEqual(kv.deletes, [], "another worker's lease is not deleted");
  assert.equal(leases.held.has(2), false);
});
