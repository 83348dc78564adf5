// The dashboard's device list: one summary per device from the service's own counters, the last
// published health's metrics and the activity tracker; searched, sorted and paged on the server
// so that a fleet of 10,000 devices costs the browser one page at a time.

import type { Service, Device } from "../service/service.js";
import type { ActivityTracker } from "./tracker.js";
import { Flag } from "../learner/index.js";
import { PREDICTION_METRIC_NAMES, predictionMetrics } from "../metrics/prediction-metrics.js";

/** The headline metric of a task, first found wins (others: PREDICTION_METRIC_NAMES' order). */
const HEADLINE: Record<string, readonly string[]> = {
  classification: ["accuracy_ew", "accuracy", "logloss_ew", "logloss"],
};

export interface DeviceSummary {
  name: string;
  task: string;
  status: string;
  readings: number;
  learned: number;
  rejected: Record<string, number>;
  rejectedTotal: number;
  drifts: number;
  lastCheckpoint: { seq: number; time: number; knownGood: boolean } | null;
  metric: { name: string; value: number } | null;
  lastAt: number | null;
}

export interface ListQuery {
  q: string;
  offset: number;
  limit: number;
  sort: "name" | "readings" | "drifts" | "rejected" | "recent";
}

export const SORTS: readonly ListQuery["sort"][] = ["name", "readings", "drifts", "rejected", "recent"];
const RECENT_MS = 30_000;

export function parseQuery(u: URLSearchParams): ListQuery {
  const num = (k: string, d: number, max: number) => {
    const v = Number(u.get(k));
    return u.has(k) && Number.isInteger(v) && v >= 0 ? Math.min(v, max) : d;
  };
  const sort = u.get("sort") as ListQuery["sort"];
  return { q: (u.get("q") ?? "").slice(0, 128), offset: num("offset", 0, 1e7), limit: num("limit", 50, 500) || 50, sort: SORTS.includes(sort) ? sort : "name" };
}

/** Last published model metrics per device (the only values the list needs from health). */
export class MetricsCache {
  readonly byDevice = new Map<string, { name: string; value: number }>();
  health(device: string, h: Record<string, unknown>): void {
    const m = predictionMetrics(h.metrics);
    for (const name of HEADLINE[String(h.task)] ?? PREDICTION_METRIC_NAMES) {
      if (typeof m[name] === "number") {
        this.byDevice.set(device, { name, value: m[name] });
        return;
      }
    }
    // No metric in the last health: the release was withdrawn (a reset, a loaded blob), and the
    // list must not keep showing a metric of a model that is gone.
    this.byDevice.delete(device);
  }
}

function status(d: Device, tracker: ActivityTracker, now: number): string {
  const st = d.meta;
  if (st.failed !== undefined) return "failed";
  const a = tracker.activity.get(d.name);
  if (!a || st.readings === 0) return "new";
  if (now - a.lastRollbackAt < RECENT_MS) return "rolled back";
  if (now - a.lastDriftAt < RECENT_MS) return "drift";
  if (a.lastFlags & Flag.Anomaly) return "anomaly";
  if (a.lastFlags & Flag.Warmup) return "warm-up";
  return "learning";
}

export function summarize(d: Device, tracker: ActivityTracker, metrics: MetricsCache, now: number): DeviceSummary {
  const st = d.meta;
  const rejected = st.rejectedObject();
  let rejectedTotal = 0;
  for (const v of st.rejected) rejectedTotal += v;
  const lc = st.lastCheckpoint;
  return {
    name: d.name,
    task: st.model.task,
    status: status(d, tracker, now),
    readings: st.readings,
    learned: st.learned,
    rejected,
    rejectedTotal,
    drifts: st.drifts,
    lastCheckpoint: lc ? { seq: lc.seq, time: lc.time, knownGood: lc.knownGood } : null,
    metric: metrics.byDevice.get(d.name) ?? null,
    lastAt: tracker.activity.get(d.name)?.lastAt || null,
  };
}

function totalRejected(d: Device): number {
  let n = 0;
  for (const v of d.meta.rejected) n += v;
  return n;
}

/** The key of each order but by name: larger first, ties by name. */
const SORT_KEYS: Record<Exclude<ListQuery["sort"], "name">, (d: Device, tracker: ActivityTracker) => number> = {
  readings: (d) => d.meta.readings,
  drifts: (d) => d.meta.drifts,
  rejected: totalRejected,
  recent: (d, tracker) => tracker.activity.get(d.name)?.lastAt ?? 0,
};

/** Pages this deep or shallower are picked out of the list, not sorted out of it (firstK). */
const PICK_MAX = 256;

/**
 * The first `k` of `items` in `cmp` order. For a shallow page of a large list, one pass that
 * keeps the best k so far (a comparison with the worst of them rejects most items) instead of a
 * sort of the whole list: at 10,000 devices a page is one walk, not 130,000 comparisons. At most
 * PICK_MAX kept, so an unlucky order (each item better than all kept) costs n * PICK_MAX moves.
 */
export function firstK<T>(items: T[], k: number, cmp: (a: T, b: T) => number): T[] {
  if (k > PICK_MAX || k * 8 > items.length) return items.sort(cmp).slice(0, k);
  const top: T[] = [];
  if (k <= 0) return top;
  for (const it of items) {
    if (top.length === k && cmp(it, top[k - 1]) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(top[mid], it) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, it);
    if (top.length > k) top.pop();
  }
  return top;
}

/** The devices a search matches, each with its sort key: what every page of that search and order slices. */
export type Matched = { d: Device; name: string; k: number }[];

export function matchDevices(service: Service, tracker: ActivityTracker, q: Pick<ListQuery, "q" | "sort">): Matched {
  const needle = q.q.toLowerCase();
  const key = q.sort === "name" ? undefined : SORT_KEYS[q.sort];
  // Each key read once per device, not once per comparison (a rejected total sums every reason).
  const rows: Matched = [];
  for (const d of service.pool.all()) {
    if (!needle || d.name.toLowerCase().includes(needle) || d.meta.model.task === needle) rows.push({ d, name: d.name, k: key ? key(d, tracker) : 0 });
  }
  return rows;
}

type Row = Matched[number];
const byKey = (a: Row, b: Row) => b.k - a.k || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** One page of matched devices (a deep page sorts `m` in place: later pages of it cost one pass). */
export function pageOf(m: Matched, tracker: ActivityTracker, metrics: MetricsCache, q: Pick<ListQuery, "offset" | "limit">, now: number): { total: number; devices: DeviceSummary[] } {
  const page = firstK(m, q.offset + q.limit, byKey).slice(q.offset);
  return { total: m.length, devices: page.map((r) => summarize(r.d, tracker, metrics, now)) };
}

/** One page of the list: `total` matching devices, `devices` the requested slice. */
export function listDevices(service: Service, tracker: ActivityTracker, metrics: MetricsCache, q: ListQuery, now = Date.now()): { total: number; devices: DeviceSummary[] } {
  return pageOf(matchDevices(service, tracker, q), tracker, metrics, q, now);
}
