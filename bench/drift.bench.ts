// Drift response policies on host/tools/sim's seeded drift streams, prequential (predict, then learn):
// accuracy (classification) or MAE (regression) with no adaptation and with each detector ×
// response, the detection delay, false alarms, and the recovery time after each abrupt drift
// (readings until the error over the last 500 readings is back within 10% of its level over the
// 1,000 readings before the drift; goal ≤ 1,000). Goal: ≥ 5 accuracy points over no adaptation
// on SEA-like streams. Numbers are printed, not asserted.

import { Flag, Kind, Learner, Param, DriftDetector, DriftResponse, compileLearner } from "../host/learner/index.js";
import { take, sea, gradualDrift, recurring, regressionDrift, type Sample } from "../host/tools/sim/index.js";
import { prequential, flagged } from "../host/tools/sim/prequential.js";
import type { BenchModule, BenchRow } from "./types.js";
import { riverAvailable, riverPrequential } from "./lib/river.js";

interface Stream {
  name: string;
  kind: Kind;
  nFeatures: number;
  samples: Sample[];
  /** True change points (start of each new concept). */
  drifts: number[];
  /** Abrupt: recovery is measured. */
  abrupt: boolean;
}

interface Policy {
  name: string;
  /** undefined: the module's defaults, untouched. */
  detector?: DriftDetector;
  response?: DriftResponse;
}

const POLICIES: Policy[] = [
  { name: "defaults" },
  { name: "no adaptation", detector: DriftDetector.None, response: DriftResponse.Notify },
  { name: "ADWIN + reset", detector: DriftDetector.ADWIN, response: DriftResponse.ResetAccumulators },
  { name: "ADWIN + background", detector: DriftDetector.ADWIN, response: DriftResponse.Background },
  { name: "PH + reset", detector: DriftDetector.PageHinkley, response: DriftResponse.ResetAccumulators },
  { name: "PH + background", detector: DriftDetector.PageHinkley, response: DriftResponse.Background },
  { name: "DDM + reset", detector: DriftDetector.DDM, response: DriftResponse.ResetAccumulators },
  { name: "DDM + background", detector: DriftDetector.DDM, response: DriftResponse.Background },
];

function streams(n: number): Stream[] {
  const q = n / 4;
  const at = [q, 2 * q, 3 * q];
  return [
    { name: "SEA (θ 8/9/7/9.5, 10% noise)", kind: Kind.Logistic, nFeatures: 3, samples: take(sea({ seed: 1, n, driftAt: at })), drifts: at, abrupt: true },
    { name: "SEA, inverted odd concepts", kind: Kind.Logistic, nFeatures: 3, samples: take(sea({ seed: 2, n, driftAt: at, invertOdd: true })), drifts: at, abrupt: true },
    { name: "gradual hyperplane (width 2000)", kind: Kind.Logistic, nFeatures: 4, samples: take(gradualDrift({ seed: 3, n, start: n / 2, width: 2000 })), drifts: [n / 2], abrupt: false },
    { name: "recurring concepts (period n/4)", kind: Kind.Logistic, nFeatures: 4, samples: take(recurring({ seed: 4, n, period: q })), drifts: at, abrupt: true },
    { name: "regression, changing function", kind: Kind.Linear, nFeatures: 4, samples: take(regressionDrift({ seed: 5, n, driftAt: at })), drifts: at, abrupt: true },
  ];
}

/** Per-reading loss: 0/1 mistake (classification) or absolute error (regression). */
function losses(s: Stream, label: Int32Array, error: Float32Array): Float64Array {
  const l = new Float64Array(s.samples.length);
  for (let i = 0; i < l.length; i++) l[i] = s.kind === Kind.Logistic ? Number(label[i] !== s.samples[i].y) : Math.abs(error[i]);
  return l;
}

function mean(a: Float64Array, from: number, to: number): number {
  let t = 0;
  for (let i = from; i < to; i++) t += a[i];
  return t / (to - from);
}

/** Readings after drift d until the 500-reading trailing loss is within 10% of the pre-drift level; -1 if not within the limit. */
function recovery(loss: Float64Array, d: number, limit: number): number {
  const pre = mean(loss, d - 1000, d);
  const w = 500;
  let sum = mean(loss, d, d + w) * w;
  for (let t = d + w; t < Math.min(loss.length, d + limit); t++) {
    if (sum / w <= 1.1 * pre) return t - d;
    sum += loss[t] - loss[t - w];
  }
  return -1;
}

const bench: BenchModule = {
  name: "drift",
  description: "drift detectors × responses on seeded drift streams: prequential accuracy/MAE, detection delay, recovery",
  async run({ quick, log }) {
    // --quick is a smoke test: short streams (drifts every 2,000 readings) and no River.
    const n = quick ? 8000 : 40000;
    const module = compileLearner();
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    const river = !quick && riverAvailable();
    if (!river && !quick) log("drift: River is not installed (pip install river): no River rows");
    for (const s of streams(n)) {
      log(`drift: ${s.name}`);
      const cls = s.kind === Kind.Logistic;
      let base = NaN;
      let defaults = NaN;
      for (const p of POLICIES) {
        const params = p.detector === undefined ? {} : { [Param.DriftDetector]: p.detector, [Param.DriftResponse]: p.response!, [Param.TargetSpike]: 0 };
        const l = new Learner(module).create(s.kind, s.nFeatures, { params });
        const o = prequential(l, s.samples);
        const loss = losses(s, o.label, o.error);
        const value = cls ? 1 - mean(loss, 0, loss.length) : mean(loss, 0, loss.length);
        if (p.detector === DriftDetector.None) base = value;
        if (p.detector === undefined) defaults = value;
        const alarms = flagged(o, Flag.Drift);
        const delays = s.drifts.map((d) => alarms.find((a) => a >= d && a < d + 2000)).map((a, k) => (a === undefined ? -1 : a - s.drifts[k]));
        const falseAlarms = alarms.filter((a) => !s.drifts.some((d) => a >= d && a < d + 2000)).length;
        const rec = s.abrupt ? s.drifts.map((d) => recovery(loss, d, 5000)) : [];
        const within = rec.filter((r) => r >= 0 && r <= 1000).length;
        const detected = delays.filter((d) => d >= 0);
        const parts: string[] = [];
        if (p.detector !== undefined && p.detector !== DriftDetector.None) {
          parts.push(cls ? `${((value - base) * 100).toFixed(1)} pts vs none` : `${((value / base - 1) * 100).toFixed(1)}% MAE vs none`);
          parts.push(`delay ${detected.length ? Math.round(detected.reduce((a, b) => a + b, 0) / detected.length) : "-"} (${detected.length}/${s.drifts.length} found)`);
          parts.push(`false alarms ${falseAlarms}`);
          if (p.response === DriftResponse.Background) parts.push(`swaps ${flagged(o, Flag.ModelSwapped).length}`);
        }
        if (s.abrupt) parts.push(`recovered ≤ 1000 after ${within}/${rec.length} drifts (${rec.map((r) => (r < 0 ? ">5000" : String(r))).join(", ")})`);
        rows.push({ metric: `${s.name}: ${p.name}`, value: Number(value.toFixed(4)), unit: cls ? "accuracy" : "MAE", note: parts.join("; ") });
        details[`${s.name}: ${p.name}`] = { value, delays, falseAlarms, recovery: rec, alarms: alarms.slice(0, 50) };
      }
      if (river) {
        // River's plain model at its defaults (StandardScaler | LogisticRegression / LinearRegression)
        const r = riverPrequential(cls ? "logreg" : "linreg", s.samples.map((x) => ({ x: x.x, y: x.y })));
        if (r !== undefined) {
          const better = cls ? defaults >= r : defaults <= r;
          rows.push({ metric: `${s.name}: River ${cls ? "LogisticRegression" : "LinearRegression"} (defaults)`, value: Number(r.toFixed(4)), unit: cls ? "accuracy" : "MAE", note: `edgelearn defaults ${defaults.toFixed(4)}: ${better ? "at or ahead of" : "behind"} River` });
          details[`${s.name}: River`] = r;
        }
      }
    }
    return { name: "drift", rows, details: { readings: n, ...details } };
  },
};
export default bench;
