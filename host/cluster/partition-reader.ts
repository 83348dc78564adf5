// The reading side of one owned partition: a JetStream consumer read in order, with nothing
// skipped, for as long as its owner holds the partition. It creates the consumer at a stream
// sequence, hands every delivery to the owner, acknowledges what was handled (AckAll, in
// batches), and replaces the consumer from the owner's last handled reading when the consumer
// goes away, falls silent with readings waiting, or shows a gap in its delivery numbers.
// What a reading means (devices, checkpoints) is the owner's business: partition.ts.

import type { NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { ClusterConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { eventLoopTurns } from "./event-loop-turns.js";

export interface ReaderContext {
  /** The partition, for names and log lines. */
  p: number;
  worker: string;
  config: ClusterConfig;
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** The stream holding the partition's readings, and the partition's subject filter in it. */
  stream: string;
  filter: string;
  log: Logger;
}

/** What the reader asks of the partition's owner. */
export interface ReaderOwner {
  /** Learns (or skips) one reading; an exception is logged as an internal error and the reading counts as handled. */
  handle(m: JsMsg): void;
  /** The owner may still act: learn, acknowledge (its lease is current). */
  mayAct(): boolean;
  /** The lease ran out before a reading: the owner drops the partition (the reader has stopped at it). */
  expired(): void;
  /** Where a replacement consumer starts: the stream sequence after the last reading handled. */
  resumeFrom(): number;
  /** A break in the delivery numbers was found (counted by the worker's health). */
  gapFound(): void;
}

const ACK_EVERY = 64;
const NS = 1_000_000;
/** How often the watchdog looks, and how long a consumer may be silent before it asks the server. */
const WATCH_MS = 2000;
const SILENCE_MS = 5000;
/** The largest message block nats-server's file store uses (8 MiB: a stream limited by age only). */
const MAX_BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * Where to create a consumer that should read from `startSeq`: earlier than that, by about two
 * of the server's message blocks, when the server is older than 2.9.15 and `startSeq` may lie in
 * the stream's newest block. Those servers (msgBlock.filteredPendingLocked in the file store, as
 * read in 2.8.4 to 2.9.14) give no last pending sequence to a wildcard consumer that starts in
 * the first half of the newest block, and the consumer then counts its pending readings again,
 * scanning that block, on every delivery (consumer numPending): a new owner with a backlog read
 * a few hundred readings a second with the server at a full core. Started in an older block the
 * count is taken once and kept. The reader skips (acknowledges without handing over) what lies
 * before `startSeq`: measured on 2.9.10, 3,125 readings of one partition after 150,000 in a
 * stream of 200,000 took 4.4 s, and 0.24 s with 9,009 skipped (docs/BENCHMARKS.md).
 */
export function consumerStart(
  startSeq: number,
  state: { first_seq: number; last_seq: number; messages: number; bytes: number },
  serverVersion: string | undefined,
): number {
  if (!serverRescansNewestBlock(serverVersion) || state.messages === 0 || startSeq <= state.first_seq || startSeq > state.last_seq) return startSeq;
  const back = Math.ceil((2 * MAX_BLOCK_BYTES) / Math.max(1, state.bytes / state.messages));
  // More than that many readings before the end, `startSeq` is in an older block already.
  if (state.last_seq - startSeq >= back) return startSeq;
  return Math.max(state.first_seq, startSeq - back);
}

/** nats-server before 2.9.15 (see consumerStart); an unknown version counts as affected. */
function serverRescansNewestBlock(version: string | undefined): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return true;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return major < 2 || (major === 2 && (minor < 9 || (minor === 9 && patch < 15)));
}

export class PartitionReader {
  private msgs: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private consumerName = "";
  /** Set by stop(): nothing is read, reopened or acknowledged by the watchdog afterwards. */
  private stopped = false;
  private unacked: JsMsg | undefined;
  /** Consumer (delivery) sequence of the last reading taken from the current consumer (0: none yet). */
  private lastDelivery = 0;
  /** Readings of the current consumer before this stream sequence are skipped (see consumerStart). */
  private skipBelow = 0;
  private unackedCount = 0;
  private ackTimer: NodeJS.Timeout | undefined;
  private lastMessageAt = 0;
  /** A consumer creation failed (the next consumers are replicated). */
  private consumerFailed = false;
  private watchdog: NodeJS.Timeout | undefined;
  private reopening = false;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly owner: ReaderOwner,
  ) {}

  /**
   * Creates the first consumer at `startSeq` and starts reading. From here the watchdog keeps a
   * consumer open, so a creation that fails is retried by it: the error is returned (for the
   * owner's log line), not thrown.
   */
  async begin(startSeq: number): Promise<Error | undefined> {
    if (this.stopped) return undefined;
    this.watchdog ??= setInterval(() => void this.checkProgress(), WATCH_MS);
    this.reopening = true; // the watchdog waits for this first creation
    try {
      await this.open(startSeq);
      return undefined;
    } catch (e) {
      return e as Error;
    } finally {
      this.reopening = false;
    }
  }

  private async open(startSeq: number): Promise<void> {
    const c = this.ctx.config;
    this.consumerName = `${this.ctx.worker}-p${this.ctx.p}-${Date.now().toString(36)}`;
    // Without the stream's state (a leader being elected) the consumer starts where asked.
    const state = await this.ctx.jsm.streams.info(this.ctx.stream).then((i) => i.state, () => undefined);
    const from = state ? consumerStart(startSeq, state, this.ctx.nc.info?.version) : startSeq;
    await this.ctx.jsm.consumers.add(this.ctx.stream, {
      name: this.consumerName,
      filter_subject: this.ctx.filter,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
      ack_policy: AckPolicy.All,
      max_ack_pending: c.maxInflight,
      ack_wait: 60_000 * NS,
      // The consumer is a cursor, not state: the checkpoints are. One in-memory replica is
      // enough; if its server goes away it is recreated from the last reading learned. After a
      // creation failed, as many replicas as the stream: nats-server before 2.9.12 may have
      // placed the single replica on a lost node, and would again one time in three, while a
      // replica on every peer of the stream works with one of three lost. (Measured on 2.9.10
      // with one node of three down: one replica 4 of 8 created, 0 = "as the stream" 2 of 8,
      // three replicas 8 of 8 in 0.2–6.3 s.)
      mem_storage: true,
      num_replicas: this.consumerFailed ? c.replicas : 1,
      inactive_threshold: Math.max(30_000, c.leaseSeconds * 3000) * NS,
    }).catch((e: unknown) => {
      this.consumerFailed = true;
      throw e;
    });
    const consumer = await jetstream(this.ctx.nc).consumers.get(this.ctx.stream, this.consumerName);
    const msgs = await consumer.consume({ max_messages: Math.min(c.maxInflight, 1024) });
    if (this.stopped) {
      // Stopped while the consumer was being created: nobody reads it.
      msgs.stop();
      await this.ctx.jsm.consumers.delete(this.ctx.stream, this.consumerName).catch(() => undefined);
      return;
    }
    this.msgs = msgs;
    this.lastDelivery = 0;
    this.skipBelow = startSeq;
    this.lastMessageAt = performance.now();
    this.loop = this.run(msgs);
    void (async () => {
      for await (const s of msgs.status()) {
        if (this.stopped || this.msgs !== msgs) return;
        if (s.type === "consumer_not_found" || s.type === "consumer_deleted" || (s.type === "heartbeats_missed" && s.count >= 3)) {
          await this.restart(msgs, `consumer gone (${s.type})`);
          return;
        }
      }
    })();
  }

  /**
   * A consumer whose server went away may stay silent instead of reporting it, and a live one
   * has been seen to stop delivering: after a few seconds without a reading, ask for it; gone,
   * or readings pending and nothing delivered, means a new consumer from the last reading handled.
   */
  private async checkProgress(): Promise<void> {
    const msgs = this.msgs;
    if (this.stopped || this.reopening) return;
    if (!msgs) {
      // A recreation failed (its server was electing a leader): try again.
      await this.restart(undefined, "no consumer");
      return;
    }
    if (performance.now() - this.lastMessageAt < SILENCE_MS) return;
    let stuck = false;
    try {
      const info = await this.ctx.jsm.consumers.info(this.ctx.stream, this.consumerName);
      // Readings waiting and none delivered for seconds is stuck, whatever the server counts as
      // unacknowledged: seen with 2 "ack pending", 3 pull requests waiting and thousands of
      // readings pending, for minutes (nats-server 2.9.10, two workers draining a backlog).
      // Deliveries still unacknowledged after seconds of silence are stuck too: this reader
      // acknowledges what was handled within 20 ms, so the server sent readings that never
      // arrived, and they would come back only after the ack wait (a minute).
      stuck = info.num_pending > 0 || info.num_ack_pending > 0;
    } catch {
      stuck = true;
    }
    if (!stuck || this.stopped || this.msgs !== msgs) return;
    await this.restart(msgs, "no progress from its consumer");
  }

  /** Stops `msgs` and opens a new consumer after the last reading handled; one at a time, retried by the watchdog. */
  private async restart(msgs: ConsumerMessages | undefined, why: string): Promise<void> {
    if (this.reopening || this.stopped) return;
    this.reopening = true;
    try {
      const from = this.owner.resumeFrom();
      this.ctx.log.warn(`partition ${this.ctx.p}: ${why}; recreating it from stream sequence ${from}`);
      this.msgs = undefined;
      if (msgs) {
        msgs.stop();
        await this.loop;
      }
      // The replaced consumer would otherwise stay on the server until its inactivity limit. Not
      // awaited: when its server is the one that went away, the request only times out.
      if (this.consumerName) void this.ctx.jsm.consumers.delete(this.ctx.stream, this.consumerName).catch(() => undefined);
      this.lastMessageAt = performance.now();
      if (!this.stopped) await this.open(this.owner.resumeFrom());
    } catch (e) {
      this.ctx.log.error(`partition ${this.ctx.p}: cannot recreate its consumer: ${(e as Error).message}; trying again in a few seconds`);
    } finally {
      this.reopening = false;
    }
  }

  /** Reads `msgs` until it ends; an iterator that fails (a consumer or connection error) is
   * replaced like a silent one, never left as a rejected promise (which would end the process). */
  private async run(msgs: ConsumerMessages): Promise<void> {
    try {
      await this.read(msgs);
    } catch (e) {
      if (this.stopped || this.msgs !== msgs) return;
      void this.restart(msgs, `its consumer failed (${(e as Error).message})`);
    }
  }

  private async read(msgs: ConsumerMessages): Promise<void> {
    for await (const m of msgs) {
      this.lastMessageAt = performance.now();
      if (this.stopped || this.msgs !== msgs) break;
      // Readings the consumers have buffered would otherwise be learned without a break (about
      // partitions × maxInflight × a learning step) while lease renewals wait on their timers: a
      // drain lets the event loop go round every slice (event-loop-turns.ts), and whatever changed
      // meanwhile is looked at again before this reading.
      if (eventLoopTurns.spent()) {
        await eventLoopTurns.nextTurn();
        if (this.stopped || this.msgs !== msgs) break;
      }
      if (!this.owner.mayAct()) {
        this.owner.expired();
        break;
      }
      // Acknowledgement is cumulative (AckAll): taking a reading after a lost delivery and
      // acknowledging it would tell the server the lost ones were handled too, and nobody would
      // ever learn them. The consumer numbers its deliveries 1, 2, 3, … (redeliveries included),
      // so a jump means deliveries went missing (as when the worker's connection to a NATS node
      // goes down with readings in flight): stop before this reading and read again from the last
      // one handled.
      const dseq = m.info.deliverySequence;
      if (dseq !== this.lastDelivery + 1) {
        this.owner.gapFound();
        const first = this.lastDelivery + 1;
        const gap =
          dseq < first ? `its consumer numbered a delivery ${dseq} after ${this.lastDelivery}`
          : dseq === first + 1 ? `delivery ${first} of its consumer never arrived`
          : `deliveries ${first}–${dseq - 1} of its consumer never arrived`;
        void this.restart(msgs, gap);
        break;
      }
      this.lastDelivery = dseq;
      // Before the start asked for (a consumer started earlier, see consumerStart): handled
      // already, so only acknowledged, which keeps the consumer's pending window moving.
      if (m.seq >= this.skipBelow) {
        try {
          this.owner.handle(m);
        } catch (e) {
          this.ctx.log.error(`partition ${this.ctx.p}: internal error on stream sequence ${m.seq}: ${(e as Error).stack ?? e}`);
        }
      }
      this.unacked = m;
      if (++this.unackedCount >= ACK_EVERY) this.ack();
      else this.ackTimer ??= setTimeout(() => this.ack(), 20);
    }
  }

  /** Acknowledges everything up to the last reading handled (AckAll), while the owner may act. */
  ack(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const m = this.unacked;
    this.unacked = undefined;
    this.unackedCount = 0;
    if (m && this.owner.mayAct()) m.ack();
  }

  /** Forgets the readings handled and not yet acknowledged (the partition is lost: they stay pending for the next owner). */
  dropUnacked(): void {
    this.unacked = undefined;
  }

  /**
   * Stops for good: no more readings, no watchdog, no new consumer; the current consumer is
   * stopped (after the reading being handled) and deleted. Readings handled stay acknowledgeable
   * (ack) until the owner is done with them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    const msgs = this.msgs;
    this.msgs = undefined;
    if (msgs) {
      msgs.stop();
      await this.loop;
    }
    if (this.consumerName) await this.ctx.jsm.consumers.delete(this.ctx.stream, this.consumerName).catch(() => undefined);
  }

  /** Clears the timers (after stop, once the last acknowledgement is sent). */
  close(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
