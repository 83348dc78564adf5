// What the dashboard shows per device beyond the service's own counters: the last reading's flags
// and time, recent drift/rollback times, and, only for devices someone is watching, a bounded
// ring of recent outputs and markers. An output is kept only when the prediction topic published
// it (output.predictions and the device's publish rule), with the fields it published:
// prediction, score, error, extra, label, flags. The error gives the reading's target away
// (prediction + error), so a reading whose prediction the rule kept off MQTT is not shown either.
// Nothing here holds a reading's values beyond that.
//
// A ring records only while it has viewers. When the last one leaves, recording stops at once and
// the ring is dropped LINGER_MS later: the page opens a new stream for every page change or
// search (and reconnects 2 s after a drop), and that stream finds the chart it had.

import { Flag, Param, type Learner } from "../learner/index.js";
import type { CheckpointMeta } from "../store/types.js";

/** One output: host time (ms), prediction, score, error, extra, label, flags (null: not given). */
export type Point = [t: number, prediction: number | null, score: number | null, error: number | null, extra: number | null, label: number | null, flags: number];

export interface Marker {
  t: number;
  kind: "drift" | "rollback" | "rejected" | "reset" | "load";
  text: string;
}

export const RING_POINTS = 1000;
const RING_MARKERS = 200;
/**
 * Devices whose rings are kept. A ring with viewers is never dropped to make room (that would stop
 * a chart someone is looking at); past this many watched devices a new one is shown without live
 * points until a ring is free.
 */
export const WATCHED_RINGS = 64;
/** How long a ring without viewers is held (recording nothing) before it is dropped. */
export const LINGER_MS = 5000;

const f = (x: number): number | null => (Number.isFinite(x) ? +x.toPrecision(7) : null);

/** A bounded ring of recent outputs and markers for one watched device. */
export class OutputRing {
  readonly points: Point[] = [];
  readonly markers: Marker[] = [];
  /** Points ever pushed: a reader's cursor. */
  pushed = 0;
  markersPushed = 0;
  /** ANOMALY_THRESHOLD of the device's model, read once from the live instance. */
  threshold: number | null = null;
  rejectedSeen = -1;
  /** Open streams showing this ring: it records only while there are any. */
  viewers = 0;
  /** Drops the ring once it has had no viewers for LINGER_MS. */
  linger: NodeJS.Timeout | undefined;

  push(p: Point): void {
    if (this.points.length >= RING_POINTS) this.points.shift();
    this.points.push(p);
    this.pushed++;
  }

  mark(m: Marker): void {
    if (this.markers.length >= RING_MARKERS) this.markers.shift();
    this.markers.push(m);
    this.markersPushed++;
  }

  /** Points pushed after `cursor` (as many as the ring still holds). */
  pointsSince(cursor: number): Point[] {
    const n = Math.min(this.pushed - cursor, this.points.length);
    return n > 0 ? this.points.slice(this.points.length - n) : [];
  }

  markersSince(cursor: number): Marker[] {
    const n = Math.min(this.markersPushed - cursor, this.markers.length);
    return n > 0 ? this.markers.slice(this.markers.length - n) : [];
  }
}

export interface DeviceActivity {
  lastFlags: number;
  lastAt: number;
  lastDriftAt: number;
  lastRollbackAt: number;
}

export class ActivityTracker {
  readonly activity = new Map<string, DeviceActivity>();
  /** Rings of watched devices, least recently watched first (the order rings without viewers make room in). */
  readonly rings = new Map<string, OutputRing>();

  constructor(private readonly now: () => number = Date.now) {}

  private act(device: string): DeviceActivity {
    let a = this.activity.get(device);
    if (!a) this.activity.set(device, (a = { lastFlags: 0, lastAt: 0, lastDriftAt: 0, lastRollbackAt: 0 }));
    return a;
  }

  /** `published`: the reading's prediction went out on MQTT; only then is its output kept. */
  reading(device: string, flags: number, l: Learner, published: boolean): void {
    const a = this.act(device);
    const t = this.now();
    a.lastFlags = flags;
    a.lastAt = t;
    const ring = this.viewed(device);
    if (!ring || !published) return;
    if (ring.threshold === null) ring.threshold = f(l.getParam(Param.AnomalyThreshold));
    const predicted = (flags & Flag.Predicted) !== 0;
    const label = l.label;
    ring.push([t, predicted ? f(l.prediction) : null, f(l.score), f(l.error), f(l.extra), label >= 0 && predicted ? label : null, flags]);
  }

  drift(device: string): void {
    const t = this.now();
    this.act(device).lastDriftAt = t;
    this.viewed(device)?.mark({ t, kind: "drift", text: "drift detected" });
  }

  rollback(device: string, meta: CheckpointMeta): void {
    const t = this.now();
    this.act(device).lastRollbackAt = t;
    this.viewed(device)?.mark({ t, kind: "rollback", text: `rolled back to checkpoint ${meta.seq}` });
  }

  reset(device: string): void {
    this.viewed(device)?.mark({ t: this.now(), kind: "reset", text: "model reset" });
  }

  /** The device's state was replaced by a blob: the outputs after the marker are another model's. */
  load(device: string): void {
    this.viewed(device)?.mark({ t: this.now(), kind: "load", text: "state loaded from a blob" });
  }

  /** A watched device's rejected total moved by `n` since the last look. */
  rejected(device: string, total: number): void {
    const ring = this.viewed(device);
    if (!ring) return;
    if (ring.rejectedSeen >= 0 && total > ring.rejectedSeen) {
      const n = total - ring.rejectedSeen;
      ring.mark({ t: this.now(), kind: "rejected", text: `${n} reading${n === 1 ? "" : "s"} rejected` });
    }
    ring.rejectedSeen = total;
  }

  forget(device: string): void {
    this.activity.delete(device);
    this.rings.delete(device);
  }

  /** The device's ring while someone views it (a lingering ring records nothing). */
  private viewed(device: string): OutputRing | undefined {
    const ring = this.rings.get(device);
    return ring && ring.viewers > 0 ? ring : undefined;
  }

  /**
   * A viewer starts watching the device: its ring, created (and made most recent) when none is
   * kept. Undefined when WATCHED_RINGS rings are kept and all have viewers.
   */
  watch(device: string): OutputRing | undefined {
    let ring = this.rings.get(device);
    if (ring) this.rings.delete(device);
    else if (this.rings.size >= WATCHED_RINGS && !this.dropUnviewed()) return undefined;
    else ring = new OutputRing();
    ring.viewers++;
    clearTimeout(ring.linger);
    this.rings.set(device, ring);
    return ring;
  }

  /** A viewer of the device's `ring` left (its stream closed). */
  unwatch(device: string, ring: OutputRing): void {
    if (--ring.viewers > 0) return;
    ring.linger = setTimeout(() => {
      if (ring.viewers === 0 && this.rings.get(device) === ring) this.rings.delete(device);
    }, LINGER_MS);
    ring.linger.unref();
  }

  /** Drops the least recently watched ring that nobody views: false when every ring has viewers. */
  private dropUnviewed(): boolean {
    for (const [device, ring] of this.rings) {
      if (ring.viewers > 0) continue;
      this.rings.delete(device);
      return true;
    }
    return false;
  }
}
