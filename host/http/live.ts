// Live updates for the dashboard by Server-Sent Events. Each stream carries one client's view:
//   event: page     every second: host summary and the client's page of the device list
//   event: history  once, when the stream names a device: its recent outputs and markers
//   event: points   every 250 ms while new outputs of that device arrived: {points, markers}
// A client that changes page, search or device opens a new stream. A stream whose socket is
// backed up skips updates instead of queueing them (memory stays bounded by slow clients).

import type { ServerResponse } from "node:http";
import type { Service } from "../service/service.js";
import { ActivityTracker, type OutputRing } from "./tracker.js";
import { MetricsCache, listDevices, type ListQuery } from "./device-list.js";

const TICK_MS = 250;
const PAGE_EVERY = 4; // ticks
const MAX_BUFFERED = 1 << 20;

interface Stream {
  res: ServerResponse;
  query: ListQuery;
  device: string | undefined;
  ring: OutputRing | undefined;
  pointCursor: number;
  markerCursor: number;
}

export class LiveView {
  readonly tracker: ActivityTracker;
  readonly metrics = new MetricsCache();
  private readonly streams = new Set<Stream>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(private readonly service: Service) {
    this.tracker = new ActivityTracker(service.config.output.predictions);
    const t = this.tracker;
    const ev = service.events;
    ev.on("reading", (d, flags, l) => t.reading(d, flags, l));
    ev.on("drift", (d) => t.drift(d));
    ev.on("rollback", (d, meta) => t.rollback(d, meta));
    ev.on("reset", (d) => t.reset(d));
    ev.on("forget", (d) => {
      t.forget(d);
      this.metrics.byDevice.delete(d);
    });
    ev.on("health", (d, h) => this.metrics.health(d, h));
  }

  hostSummary(): Record<string, unknown> {
    const h = this.service.hostHealth();
    return { ...h, mqtt: this.service.connection?.connected ?? false, watched: this.tracker.rings.size };
  }

  page(q: ListQuery): Record<string, unknown> {
    return { host: this.hostSummary(), ...listDevices(this.service, this.tracker, this.metrics, q) };
  }

  /** Starts a stream on `res` (headers written here). */
  open(res: ServerResponse, query: ListQuery, device: string | undefined): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const s: Stream = { res, query, device: undefined, ring: undefined, pointCursor: 0, markerCursor: 0 };
    res.write("retry: 2000\n\n");
    send(s, "page", this.page(query));
    const d = device !== undefined ? this.service.pool.get(device) : undefined;
    if (d) {
      const ring = this.tracker.watch(d.name);
      this.watchRejected(d.name);
      s.device = d.name;
      s.ring = ring;
      s.pointCursor = ring.pushed;
      s.markerCursor = ring.markersPushed;
      send(s, "history", { device: d.name, task: d.meta.model.task, threshold: ring.threshold, points: ring.points, markers: ring.markers });
    }
    this.streams.add(s);
    res.on("close", () => this.streams.delete(s));
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
  }

  private watchRejected(device: string): void {
    const d = this.service.pool.get(device);
    if (!d) return;
    let n = 0;
    for (const v of d.meta.rejected) n += v;
    this.tracker.rejected(device, n);
  }

  private tick(): void {
    if (this.streams.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const pageNow = ++this.ticks % PAGE_EVERY === 0;
    const watched = new Set<string>();
    for (const s of this.streams) if (s.device) watched.add(s.device);
    for (const d of watched) this.watchRejected(d);
    for (const s of this.streams) {
      if (s.res.writableLength > MAX_BUFFERED) continue;
      if (pageNow) send(s, "page", this.page(s.query));
      const ring = s.ring;
      if (!ring || !s.device) continue;
      if (this.tracker.rings.get(s.device) !== ring) {
        if (!this.service.pool.get(s.device)) continue;
        // The ring was dropped (forgotten device, or too many watched): start a fresh one.
        s.ring = this.tracker.watch(s.device);
        s.pointCursor = s.ring.pushed;
        s.markerCursor = s.ring.markersPushed;
        continue;
      }
      if (ring.pushed === s.pointCursor && ring.markersPushed === s.markerCursor) continue;
      send(s, "points", { device: s.device, threshold: ring.threshold, points: ring.pointsSince(s.pointCursor), markers: ring.markersSince(s.markerCursor) });
      s.pointCursor = ring.pushed;
      s.markerCursor = ring.markersPushed;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }
}

function send(s: Stream, event: string, data: unknown): void {
  s.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
