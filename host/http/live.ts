// Live updates for the dashboard by Server-Sent Events. Each stream carries one client's view:
//   event: page     every second: host summary and the client's page of the device list
//   event: history  when the stream names a device: its recent outputs and markers; with
//                   live: false and a note when every ring is taken by other viewers (then
//                   again, live, once a ring is free)
//   event: points   every 250 ms while new outputs of that device arrived: {points, markers}
// A client that changes page, search or device opens a new stream. A stream whose socket is
// backed up skips updates instead of queueing them (memory stays bounded by slow clients).
// Each page tick builds every distinct list query once and sends the same text to all streams
// that asked for it: at 10,000 devices one build takes milliseconds, and many tabs on the same
// view cost one. At most MAX_STREAMS streams are open; one more is answered 503. A page tick
// builds new pages for at most PAGE_BUDGET_MS: when many streams ask for different pages of a
// large fleet, the ones not reached wait for the next page tick and go first then, so every page
// still refreshes (less often) while readings keep the event loop.

import type { ServerResponse } from "node:http";
import type { Device, Service } from "../service/service.js";
import { ActivityTracker, WATCHED_RINGS, type OutputRing } from "./tracker.js";
import { MetricsCache, listDevices, matchDevices, pageOf, type ListQuery, type Matched } from "./device-list.js";
import { json } from "./respond.js";

const TICK_MS = 250;
const PAGE_EVERY = 4; // ticks
const MAX_BUFFERED = 1 << 20;
/**
 * Event-loop time a page tick may spend building pages not built yet in that tick (one is always
 * built). 128 different pages of 10,000 devices take ~170 ms; with this bound a second costs at
 * most a few per cent of the loop, and a page waits a few seconds at worst.
 */
export const PAGE_BUDGET_MS = 20;
/**
 * Open streams at most: one per dashboard tab, so far more than people watch at once, and above
 * WATCHED_RINGS (a chart beyond them still opens, and says it is not live). It bounds the work of
 * a page tick when every stream asks for another list query.
 */
export const MAX_STREAMS = 128;
const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
const NOT_LIVE = `No live chart: ${WATCHED_RINGS} devices are being watched already. It starts when one of those views is closed.`;

interface Stream {
  res: ServerResponse;
  query: ListQuery;
  device: string | undefined;
  /** The device's ring; undefined while none is free (or the device was forgotten). */
  ring: OutputRing | undefined;
  /** What the last history told the client: undefined before any. */
  live: boolean | undefined;
  pointCursor: number;
  markerCursor: number;
  /** The page tick that last sent this stream its page (page ticks serve the longest waiting first). */
  pagedAt: number;
}

export class LiveView {
  readonly tracker: ActivityTracker;
  readonly metrics = new MetricsCache();
  private readonly streams = new Set<Stream>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private pageTicks = 0;

  /** `clock`: milliseconds, for the page budget (a test passes its own). */
  constructor(private readonly service: Service, private readonly clock: () => number = () => performance.now()) {
    this.tracker = new ActivityTracker();
    const t = this.tracker;
    const ev = service.events;
    ev.on("reading", (d, flags, l, published) => t.reading(d, flags, l, published));
    ev.on("drift", (d) => t.drift(d));
    ev.on("rollback", (d, meta) => t.rollback(d, meta));
    ev.on("reset", (d) => t.reset(d));
    ev.on("load", (d) => t.load(d));
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

  /** A stream's headers, for HEAD, and an end. */
  head(res: ServerResponse): void {
    res.writeHead(200, STREAM_HEADERS);
    res.end();
  }

  /** Starts a stream on `res` (headers written here), or answers 503 when MAX_STREAMS are open. */
  open(res: ServerResponse, query: ListQuery, device: string | undefined): void {
    if (this.streams.size >= MAX_STREAMS) {
      res.setHeader("retry-after", "10");
      return json(res, 503, { error: `too many live views open (at most ${MAX_STREAMS}); close one, or try again later` });
    }
    res.writeHead(200, STREAM_HEADERS);
    const s: Stream = { res, query, device: undefined, ring: undefined, live: undefined, pointCursor: 0, markerCursor: 0, pagedAt: this.pageTicks };
    res.write("retry: 2000\n\n");
    send(s, "page", this.page(query));
    const d = device !== undefined ? this.service.pool.get(device) : undefined;
    if (d) {
      s.device = d.name;
      this.attach(s, d);
    }
    this.streams.add(s);
    res.on("close", () => {
      this.streams.delete(s);
      if (s.ring) this.tracker.unwatch(s.device!, s.ring);
    });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
  }

  /**
   * Gives the stream its device's ring and sends the history. Without a free ring the history
   * says so (once) instead of taking the ring of a chart someone is looking at; tick() asks again.
   */
  private attach(s: Stream, d: Device): void {
    const ring = this.tracker.watch(d.name);
    s.ring = ring;
    if (!ring) {
      if (s.live !== false) send(s, "history", { device: d.name, task: d.meta.model.task, threshold: null, points: [], markers: [], live: false, note: NOT_LIVE });
      s.live = false;
      return;
    }
    this.watchRejected(d.name);
    s.live = true;
    s.pointCursor = ring.pushed;
    s.markerCursor = ring.markersPushed;
    send(s, "history", { device: d.name, task: d.meta.model.task, threshold: ring.threshold, points: ring.points, markers: ring.markers, live: true });
  }

  private watchRejected(device: string): void {
    const d = this.service.pool.get(device);
    if (!d) return;
    let n = 0;
    for (const v of d.meta.rejected) n += v;
    this.tracker.rejected(device, n);
  }

  /** One tick of the timer: pages every PAGE_EVERY ticks, then the watched charts' new points. */
  tick(): void {
    if (this.streams.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (++this.ticks % PAGE_EVERY === 0) this.sendPages();
    const watched = new Set<string>();
    for (const s of this.streams) if (s.device && s.ring) watched.add(s.device);
    for (const d of watched) this.watchRejected(d);
    for (const s of this.streams) {
      if (!s.device || s.res.writableLength > MAX_BUFFERED) continue;
      // A forgotten device's ring went with it.
      if (s.ring && this.tracker.rings.get(s.device) !== s.ring) s.ring = undefined;
      const ring = s.ring;
      if (!ring) {
        const d = this.service.pool.get(s.device);
        if (d) this.attach(s, d);
        continue;
      }
      if (ring.pushed === s.pointCursor && ring.markersPushed === s.markerCursor) continue;
      send(s, "points", { device: s.device, threshold: ring.threshold, points: ring.pointsSince(s.pointCursor), markers: ring.markersSince(s.markerCursor) });
      s.pointCursor = ring.pushed;
      s.markerCursor = ring.markersPushed;
    }
  }

  /**
   * A page tick: the streams that waited longest first; each distinct query built and serialized
   * once, on first ask, the pages of one search and order sharing its match. Once building has
   * taken PAGE_BUDGET_MS, only pages already built in this tick are sent; the others wait.
   */
  private sendPages(): void {
    const tick = ++this.pageTicks;
    const host = this.hostSummary();
    const now = Date.now();
    const matches = new Map<string, Matched>();
    const texts = new Map<string, string>();
    const start = this.clock();
    let built = 0;
    const order = [...this.streams].sort((a, b) => a.pagedAt - b.pagedAt);
    for (const s of order) {
      if (s.res.writableLength > MAX_BUFFERED) continue;
      const q = s.query;
      const key = JSON.stringify([q.q, q.sort, q.offset, q.limit]);
      let text = texts.get(key);
      if (text === undefined) {
        if (built > 0 && this.clock() - start >= PAGE_BUDGET_MS) continue;
        const matchKey = JSON.stringify([q.q, q.sort]);
        let m = matches.get(matchKey);
        if (!m) matches.set(matchKey, (m = matchDevices(this.service, this.tracker, q)));
        texts.set(key, (text = eventText("page", { host, ...pageOf(m, this.tracker, this.metrics, q, now) })));
        built++;
      }
      s.res.write(text);
      s.pagedAt = tick;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }
}

function eventText(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function send(s: Stream, event: string, data: unknown): void {
  s.res.write(eventText(event, data));
}
