// The lease table against an in-memory bucket: a lease that was replaced by a newer one of the
// same partition (the worker gave the partition up, then took it again while the old owner was
// still closing) is never released or dropped in the newer one's place, and only the current
// lease counts as held; a watcher that stops delivering is noticed within a lease and replaced;
// workers are counted on the server's clock, however far the worker's own is off.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { KV } from "@nats-io/kv";
import { LeaseTable } from "../../host/cluster/leases.js";

interface Entry {
  key: string;
  operation: "PUT" | "DEL";
  created: Date;
}

/** A watcher of the in-memory bucket: entries in order until stopped; a stalled one (its
 *  consumer gone with a NATS node) delivers nothing more and does not end either. */
class MemoryWatcher {
  stalled = false;
  stopped = false;
  private queue: Entry[] = [];
  private wake: (() => void) | undefined;
  push(e: Entry): void {
    if (this.stalled || this.stopped) return;
    this.queue.push(e);
    this.wake?.();
  }
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Entry> {
    while (!this.stopped) {
      const e = this.queue.shift();
      if (e) yield e;
      else await new Promise<void>((r) => (this.wake = r));
    }
  }
}

/** The few KV calls the lease table makes, with the server's compare-and-set rules. */
class MemoryBucket {
  readonly entries = new Map<string, { value: string; revision: number }>();
  deletes: string[] = [];
  readonly watchers: MemoryWatcher[] = [];
  private revision = 0;

  /** How far the server's clock is ahead of the worker's (its timestamps on entries). */
  serverAheadMs = 0;
  private now(): Date {
    return new Date(Date.now() + this.serverAheadMs);
  }
  private changed(key: string, operation: Entry["operation"]): void {
    for (const w of this.watchers) w.push({ key, operation, created: this.now() });
  }
  async put(key: string, value: string): Promise<number> {
    this.entries.set(key, { value, revision: ++this.revision });
    this.changed(key, "PUT");
    return this.revision;
  }
  /** Delivers the last entry of every key, then every change. */
  async watch(): Promise<MemoryWatcher> {
    const w = new MemoryWatcher();
    for (const key of this.entries.keys()) w.push({ key, operation: "PUT", created: this.now() });
    this.watchers.push(w);
    return w;
  }

  async create(key: string, value: string): Promise<number> {
    if (this.entries.has(key)) throw new Error("wrong last sequence: key exists");
    this.entries.set(key, { value, revision: ++this.revision });
    return this.revision;
  }
  /** The next update is never answered (a request lost with the connection, or to a server restarting). */
  unanswered = false;
  /** The next update is applied but its reply lost (the client's request times out). */
  replyLost = false;
  async update(key: string, value: string, last: number): Promise<number> {
    if (this.unanswered) {
      this.unanswered = false;
      return new Promise<number>(() => {});
    }
    if (this.entries.get(key)?.revision !== last) throw new Error("wrong last sequence");
    this.entries.set(key, { value, revision: ++this.revision });
    if (this.replyLost) {
      this.replyLost = false;
      throw new Error("TimeoutError: timeout");
    }
    return this.revision;
  }
  async get(key: string): Promise<{ operation: "PUT"; revision: number; string(): string } | null> {
    const e = this.entries.get(key);
    return e ? { operation: "PUT", revision: e.revision, string: () => e.value } : null;
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

test("a renewal that gets no answer gives up before the lease's deadline, in time for the next round", async () => {
  const kv = new MemoryBucket();
  // 2-s leases: the local deadline is 1.6 s after each renewal, rounds every 0.67 s
  const leases = new LeaseTable(kv as unknown as KV, "w1", 2);
  const l = await leases.acquire(4);
  assert.ok(l);
  kv.unanswered = true;
  const deadline = new Promise<string>((r) => setTimeout(() => r("the deadline passed first"), l.deadline - performance.now()));
  const outcome = await Promise.race([leases.renew(4).then((kept) => (kept ? "kept" : "lost")), deadline]);
  assert.equal(outcome, "kept", "renew() settles before the deadline and keeps the lease until then");
  assert.ok(leases.holds(l));
  // The next round renews it.
  const before = l.deadline;
  assert.equal(await leases.renew(4), true);
  assert.ok(l.deadline > before);
});

test("a renewal applied whose reply was lost extends the lease from when it was sent", async () => {
  const kv = new MemoryBucket();
  const leases = new LeaseTable(kv as unknown as KV, "w1", 60);
  const l = await leases.acquire(4);
  assert.ok(l);
  const acquired = l.deadline;
  await sleep(20);
  const sent = performance.now();
  kv.replyLost = true;
  assert.equal(await leases.renew(4), true, "a timeout keeps the lease until its deadline");
  assert.equal(l.deadline, acquired, "nothing confirmed yet");
  // The next renewal finds the key at a newer revision, with this worker's token: the lost reply's
  // write, made no earlier than it was sent, so the server keeps the key a TTL from then at least.
  assert.equal(await leases.renew(4), true);
  assert.equal(l.revision, kv.entries.get("p.4")?.revision, "the newer revision adopted");
  assert.ok(l.deadline >= sent + 60_000 * 0.8, `deadline extended from the lost reply's send (${(l.deadline - acquired).toFixed(0)} ms past the old one)`);
  assert.equal(await leases.renew(4), true, "and renewed at it next");
});

test("a leases watcher that stops delivering is noticed within a lease and replaced", async () => {
  const kv = new MemoryBucket();
  const leasesMs = 300;
  const leases = new LeaseTable(kv as unknown as KV, "w1", leasesMs / 1000);
  await leases.heartbeat();
  await leases.watch();
  await kv.put("w.w2", "1");
  await sleep(10);
  assert.equal(leases.survey().workers, 2);

  // The watcher's consumer goes with a NATS node: nothing more arrives, the iterator stays open.
  kv.watchers[0].stalled = true;
  await kv.put("w.w3", "1");
  const stalledAt = performance.now();
  while (!leases.watcherBehind()) {
    await leases.heartbeat(); // every third of a lease, as the worker's rounds do
    await sleep(leasesMs / 3);
    assert.ok(performance.now() - stalledAt < 3 * leasesMs, "noticed within a lease and a round or two");
  }
  assert.equal(leases.survey().workers, 1, "the stale view has lost every worker but its own");

  await leases.watch();
  await sleep(10);
  assert.equal(leases.watcherBehind(), false);
  assert.equal(leases.survey().workers, 3, "the new watcher sees w2 and w3");
  assert.deepEqual(kv.watchers.map((w) => w.stopped), [true, false], "the stale watcher is stopped");
  await kv.put("w.w4", "1");
  await sleep(10);
  assert.equal(leases.survey().workers, 4);
  leases.stopWatch();
});

test("a watcher that keeps delivering is never called behind", async () => {
  const kv = new MemoryBucket();
  const leases = new LeaseTable(kv as unknown as KV, "w1", 0.3);
  await leases.heartbeat();
  await leases.watch();
  for (let i = 0; i < 10; i++) {
    await leases.heartbeat();
    await sleep(100);
    assert.equal(leases.watcherBehind(), false);
  }
  leases.stopWatch();
});

for (const [clock, serverAheadMs] of [["behind", 3_600_000], ["ahead", -3_600_000]] as const) {
  test(`workers are counted on the server's clock when the worker's is an hour ${clock}`, async () => {
    const kv = new MemoryBucket();
    kv.serverAheadMs = serverAheadMs;
    const leasesMs = 300;
    const leases = new LeaseTable(kv as unknown as KV, "w1", leasesMs / 1000);
    await leases.heartbeat();
    await leases.watch();
    await kv.put("w.w2", "1");
    await kv.put("p.3", "w2/token");
    await sleep(10);
    assert.equal(leases.survey().workers, 2, "w1 and w2 live");
    assert.deepEqual([...leases.survey().taken], [3]);
    // w2 dies: its keys expire on the server, which sends no event; w1 keeps beating.
    for (let i = 0; i < 5; i++) {
      await leases.heartbeat();
      await sleep(leasesMs / 3);
    }
    assert.equal(leases.survey().workers, 1, "w2 no longer counted after its TTL");
    assert.deepEqual([...leases.survey().taken], [], "its partition is free to take");
    leases.stopWatch();
  });
}
