// Outputs while the broker is unreachable: bounded, never growing with the outage.
//
// - predictions: a ring of `predictionCap`; when full the oldest is dropped and counted.
// - events (drift, command replies): a ring of `eventCap`, same rule, counted apart.
// - state (retained health, status): only the newest payload per topic is kept, so health and
//   status are never lost, only superseded; bounded by the number of topics (devices + 2).
// While connected everything is published at once; on reconnect `flush` sends state first, then
// events, then predictions, oldest first.

import type { IClientPublishOptions } from "mqtt";

export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string | Buffer, opts: IClientPublishOptions): void;
  /** Optional fast path for QoS 0 outputs: the topic prepared by `topicBytes`. */
  publishQos0?(topic: Buffer, payload: string): void;
}

interface Msg {
  topic: string;
  payload: string | Buffer;
  opts: IClientPublishOptions;
}

class Ring {
  private readonly items: (Msg | undefined)[];
  private head = 0;
  length = 0;
  dropped = 0;
  constructor(readonly cap: number) {
    this.items = new Array(cap);
  }
  push(m: Msg): void {
    if (this.cap === 0) {
      this.dropped++;
      return;
    }
    if (this.length === this.cap) {
      this.items[this.head] = m;
      this.head = (this.head + 1) % this.cap;
      this.dropped++;
      return;
    }
    this.items[(this.head + this.length) % this.cap] = m;
    this.length++;
  }
  shift(): Msg | undefined {
    if (this.length === 0) return undefined;
    const m = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.cap;
    this.length--;
    return m;
  }
}

export class Outbox {
  private readonly predictions: Ring;
  private readonly events: Ring;
  private readonly state = new Map<string, Msg>();

  constructor(
    private readonly out: Publisher,
    opts: { predictionCap: number; eventCap?: number },
  ) {
    this.predictions = new Ring(opts.predictionCap);
    this.events = new Ring(opts.eventCap ?? 1000);
  }

  get droppedPredictions(): number {
    return this.predictions.dropped;
  }
  get droppedEvents(): number {
    return this.events.dropped;
  }
  get queued(): number {
    return this.predictions.length + this.events.length + this.state.size;
  }

  /** A prediction: dropped oldest-first when the queue is full while offline. */
  prediction(topic: string, payload: string, qos: 0 | 1, topicBytes?: Buffer): void {
    const opts: IClientPublishOptions = qos === 0 ? QOS0 : QOS1;
    if (this.out.connected) {
      if (qos === 0 && topicBytes && this.out.publishQos0) this.out.publishQos0(topicBytes, payload);
      else this.out.publish(topic, payload, opts);
    } else this.predictions.push({ topic, payload, opts });
  }

  /** A drift event or a command reply (QoS 1). */
  event(topic: string, payload: string, properties?: IClientPublishOptions["properties"]): void {
    const opts: IClientPublishOptions = properties ? { qos: 1, properties } : QOS1;
    if (this.out.connected) this.out.publish(topic, payload, opts);
    else this.events.push({ topic, payload, opts });
  }

  /** Retained state (health, status): only the newest per topic waits while offline. */
  retained(topic: string, payload: string): void {
    if (this.out.connected) {
      this.state.delete(topic);
      this.out.publish(topic, payload, RETAINED);
    } else {
      this.state.set(topic, { topic, payload, opts: RETAINED });
    }
  }

  /** Sends what waited (call on connect). */
  flush(): void {
    for (const m of this.state.values()) this.out.publish(m.topic, m.payload, m.opts);
    this.state.clear();
    for (const ring of [this.events, this.predictions]) {
      while (this.out.connected && ring.length > 0) {
        const m = ring.shift()!;
        this.out.publish(m.topic, m.payload, m.opts);
      }
    }
  }
}

const QOS0: IClientPublishOptions = { qos: 0 };
const QOS1: IClientPublishOptions = { qos: 1 };
const RETAINED: IClientPublishOptions = { qos: 1, retain: true };
