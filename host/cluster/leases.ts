// Partition ownership through the leases bucket (its TTL is cluster.leaseSeconds):
//   p.<n>   the partition's owner (worker name), created only when absent (compare-and-set),
//           renewed with the revision this worker last wrote; lost when a renewal finds another
//           revision (the key expired and someone else created it).
//   w.<name> a live worker (plain put, renewed), counted to share partitions evenly.
//
// Safety against a worker that was paused (GC, SIGSTOP, a stalled VM) past its lease: each
// lease carries a local deadline, the time the last successful renewal was *sent* plus the TTL
// minus a margin. The server cannot expire the key before that moment, so while
// `valid(p)` is true no other worker can own p; learning, publishing and checkpoint writes
// all check it first. On top of that, every blob write names the revision it replaces.
//
// Every request the table makes gives up after a quarter of a lease (the client would wait 5 s):
// a request that gets no answer (sent while the connection was down, or to a server restarting)
// held the whole renewal round for longer than the lease allows, so a NATS server restarted for
// a second cost a worker every partition.

import type { KV } from "@nats-io/kv";

export interface Lease {
  partition: number;
  revision: number;
  /** The revision that created this lease: names one ownership (outputs carry it). */
  epoch: number;
  /** performance.now() after which this worker must behave as if it lost the partition. */
  deadline: number;
  /** performance.now() when the first renewal since the last confirmed one was sent (undefined: none). */
  unconfirmedSince?: number;
}

/** A request that is not answered in `ms` fails (the request itself may still be applied). */
function answeredWithin<T>(request: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}

export class LeaseTable {
  readonly held = new Map<number, Lease>();
  private readonly ttlMs: number;
  private readonly marginMs: number;
  /** How long a request of this table waits for its answer. */
  private readonly requestMs: number;
  /** The value this process writes: worker name and a per-process nonce, so a renewal whose
   *  reply was lost can be recognised as ours (and a restarted worker of the same name cannot). */
  private readonly token: string;
  /** This worker's key among the live workers (`w.<name>`). */
  private readonly selfKey: string;

  constructor(
    private readonly kv: KV,
    private readonly worker: string,
    leaseSeconds: number,
  ) {
    this.ttlMs = leaseSeconds * 1000;
    this.marginMs = Math.max(250, this.ttlMs / 5);
    this.requestMs = Math.min(5000, this.ttlMs / 4);
    this.selfKey = `w.${worker}`;
    this.token = `${worker}/${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  }

  /**
   * True while `l` is this worker's current lease of its partition and no other worker can hold
   * the partition (local deadline not passed). Asked with the lease an owner was started under,
   * not with the partition: an owner that failed or was given back is still closing when the
   * worker may take the partition again under a new lease, and must not act on that one.
   */
  holds(l: Lease | undefined): boolean {
    return l !== undefined && this.held.get(l.partition) === l && performance.now() < l.deadline;
  }

  /** Tries to take p (only if nobody holds it): the lease, or undefined. */
  async acquire(p: number): Promise<Lease | undefined> {
    const t0 = performance.now();
    try {
      const revision = await answeredWithin(this.kv.create(`p.${p}`, this.token), this.requestMs);
      const l = { partition: p, revision, epoch: revision, deadline: t0 + this.ttlMs - this.marginMs };
      this.held.set(p, l);
      return l;
    } catch {
      return undefined;
    }
  }

  /** Renews p: true, or false when p is lost (someone else's revision, or the deadline passed). */
  async renew(p: number): Promise<boolean> {
    const l = this.held.get(p);
    if (!l) return false;
    const t0 = performance.now();
    const since = (l.unconfirmedSince ??= t0);
    try {
      l.revision = await answeredWithin(this.kv.update(`p.${p}`, this.token, l.revision), this.requestMs);
      l.deadline = t0 + this.ttlMs - this.marginMs;
      l.unconfirmedSince = undefined;
      return true;
    } catch (e) {
      if (/wrong last sequence/i.test((e as Error).message)) {
        // A renewal whose reply timed out may have been applied: then the key is still ours
        // (our token) at a newer revision. Adopt it. That write was made by a renewal sent since
        // the last confirmed one (an older one expected an older revision and was refused), so
        // the server keeps the key for a TTL from then at least.
        const cur = await answeredWithin(this.kv.get(`p.${p}`), this.requestMs).catch(() => null);
        if (cur && cur.operation === "PUT" && cur.string() === this.token) {
          l.revision = cur.revision;
          l.deadline = Math.max(l.deadline, since + this.ttlMs - this.marginMs);
          l.unconfirmedSince = undefined;
          if (performance.now() < l.deadline) return true;
        }
        l.deadline = 0;
        return false;
      }
      return performance.now() < l.deadline; // a timeout: keep it until the deadline says otherwise
    }
  }

  /** Gives the lease up: the key is deleted only if it is still this lease. A lease that is no
   *  longer the current one of its partition (replaced by a newer one) is left alone. */
  async release(l: Lease | undefined): Promise<void> {
    if (!l || this.held.get(l.partition) !== l) return;
    this.held.delete(l.partition);
    if (performance.now() >= l.deadline) return;
    try {
      await answeredWithin(this.kv.delete(`p.${l.partition}`, { previousSeq: l.revision }), this.requestMs);
    } catch {
      /* already gone or taken: nothing of ours to delete */
    }
  }

  /** Forgets the lease locally (lost): no request, no further renewals; a newer lease of the
   *  same partition is left alone. */
  drop(l: Lease | undefined): void {
    if (l && this.held.get(l.partition) === l) this.held.delete(l.partition);
  }

  /** Announces this worker as live. */
  async heartbeat(): Promise<void> {
    const t0 = performance.now();
    await answeredWithin(this.kv.put(this.selfKey, String(Date.now())), this.requestMs);
    this.beatStored = t0;
  }

  async leave(): Promise<void> {
    try {
      await this.kv.delete(this.selfKey);
    } catch {
      /* expires anyway */
    }
  }

  /** Last entry per key, from one long-lived watcher (no consumer created per round). */
  private readonly seen = new Map<string, { put: boolean; created: number }>();
  /** performance.now() when the last heartbeat the bucket stored was sent. */
  private beatStored = 0;
  /** performance.now() when the watcher last delivered this worker's own heartbeat. */
  private beatSeen = 0;
  /**
   * How far the server's clock is ahead of this machine's (ms), from the server's timestamp on
   * this worker's own heartbeat as it arrives (off by the delivery time, a few ms). Entries are
   * aged on the server's clock: a gateway whose clock is behind (no RTC, before NTP) would
   * otherwise count a dead worker, and its partitions as taken, for as long as it is behind,
   * and one whose clock is ahead would see no other worker at all.
   */
  private serverAhead = 0;

  /** Starts following the bucket; a watcher already running is stopped once the new one runs. */
  async watch(): Promise<void> {
    const it = await this.kv.watch({ key: ">" });
    // a new watcher gets a lease's time to deliver this worker's heartbeat before it is behind
    // (a worker that took longer than a lease to start would otherwise replace its first one)
    this.beatSeen = performance.now();
    const previous = this.stopWatch;
    this.stopWatch = () => it.stop();
    previous();
    let caughtUp = () => {};
    const initial = new Promise<void>((resolve) => (caughtUp = resolve));
    void (async () => {
      for await (const e of it) {
        this.seen.set(e.key, { put: e.operation === "PUT", created: e.created.getTime() });
        if (e.key === this.selfKey && e.operation === "PUT") {
          this.beatSeen = performance.now();
          this.serverAhead = e.created.getTime() - Date.now();
        }
        if (e.delta === 0) caughtUp();
      }
    })().catch(() => undefined);
    // Returns once the watcher has delivered the bucket as it was (the entry nothing is pending
    // behind; this worker's heartbeat is in it), or after a request's time: a worker that counted
    // workers before the entries arrived saw only itself, took every free partition and gave half
    // of them back a round later (see ClusterWorker.shareRound).
    await answeredWithin(initial, this.requestMs).catch(() => undefined);
  }
  stopWatch: () => void = () => {};

  /**
   * True when the watcher has not delivered this worker's own heartbeat for longer than a lease
   * although the bucket stored a newer one: the view `survey` gives is stale and the watcher
   * should be replaced (`watch()` again). The client's own recovery is too slow for sharing
   * partitions: its watcher is a one-replica consumer with a 30-s idle heartbeat, recreated only
   * after two are missed, so a NATS node taking the consumer down left the view a minute or more
   * behind (measured: a worker that joined then got no partition for over 60 s), and on
   * nats-server before 2.9.12 the new consumer may be placed on the lost node again.
   */
  watcherBehind(): boolean {
    return this.beatStored - this.beatSeen > this.ttlMs;
  }

  /**
   * Live workers and the partitions somebody holds now, as far as the watcher saw: keys put
   * within the TTL by the server's clock (an expiry sends no event). Only a hint for sharing
   * partitions out: taking one is decided by `create`, never by this view.
   */
  survey(): { workers: number; taken: Set<number> } {
    const now = Date.now() + this.serverAhead;
    let workers = 0;
    const taken = new Set<number>();
    for (const [k, v] of this.seen) {
      if (!v.put || now - v.created > this.ttlMs) continue;
      if (k.startsWith("w.")) workers++;
      else if (k.startsWith("p.")) taken.add(Number(k.slice(2)));
    }
    return { workers: Math.max(1, workers), taken };
  }
}
