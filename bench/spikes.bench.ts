// Point spikes, the anomaly a sensor shows most: how many of them the default anomaly detector
// reports, and what else it flags. The demo's `room-1` stream (host/tools/sim spikes(): waves of
// amplitude 1 with noise 0.1, a spike adds ±3 to one feature or to all) at three spike rates and
// four seeds, through learn_batch at defaults; the last module of ABI version 2
// (test/fixtures/learner-abi2.wasm, before SURPRISE kept spike statistics) runs beside on the
// same rows; the AR forecaster's residual runs on one-feature streams whose value is its target.
// A spike counts as reported when the ANOMALY flag is on its reading or on the one after it (a
// spike within the range is reported when the value comes back). Beside, what each anomaly
// kind's default flag does on stationary Gaussian noise (1 and 4 features), where every alarm is
// a false one. Printed, not asserted.

import { fileURLToPath } from "node:url";
import { Flag, Kind, Learner, batchOutputs, compileLearner } from "../host/learner/index.js";
import { spikes, take } from "../host/tools/sim/streams.js";
import { Prng } from "../host/tools/sim/prng.js";
import type { BenchModule, BenchRow } from "./types.js";

const V2_WASM = fileURLToPath(new URL("../../test/fixtures/learner-abi2.wasm", import.meta.url));
const RATES = [0.002, 0.005, 0.02];
const STREAMS: [number, number][] = [[3, 7], [3, 8], [1, 9], [5, 10]]; // (features, seed)
/** The AR forecaster's streams: one feature, the value, which is also its target. */
const AR_STREAMS: [number, number][] = [[1, 7], [1, 8], [1, 9], [1, 10]];

/** The target of a row: the forecaster forecasts the (one) value; the other kinds have none. */
const target = (kind: Kind, x: number[]): number => (kind === Kind.AR ? x[0] : Number.NaN);
/** Readings before the spikes are counted: the detector's first days, when every spike is new. */
const SETTLED = 2000;

interface Tally {
  spikes: number;
  reported: number;
  /** Flags on readings that are neither a spike nor the one after it. */
  falseAlarms: number;
  readings: number;
}

function tally(module: WebAssembly.Module, nf: number, seed: number, rate: number, n: number, kind: Kind): Tally {
  const ss = take(spikes({ seed, n, nFeatures: nf, rate }));
  const rows = new Float32Array((nf + 1) * n);
  ss.forEach((s, i) => {
    s.x.forEach((v, j) => (rows[(nf + 1) * i + j] = v));
    rows[(nf + 1) * i + nf] = target(kind, s.x);
  });
  const out = batchOutputs(n);
  new Learner(module).create(kind, nf).learnBatch(rows, out);
  const flagged = (i: number): boolean => i < n && (out.flags[i] & Flag.Anomaly) !== 0;
  const t: Tally = { spikes: 0, reported: 0, falseAlarms: 0, readings: 0 };
  for (let i = SETTLED; i < n; i++) {
    t.readings++;
    if (ss[i].anomaly) {
      t.spikes++;
      if (flagged(i) || (flagged(i + 1) && !ss[i + 1].anomaly)) t.reported++;
    } else if (flagged(i) && !ss[i - 1].anomaly) t.falseAlarms++;
  }
  return t;
}

/** Default flags per 1,000 readings after reading SETTLED on i.i.d. N(20, 1) features. */
function noiseAlarms(module: WebAssembly.Module, kind: Kind, nf: number, n: number): number {
  const r = new Prng(12345);
  const rows = new Float32Array((nf + 1) * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nf; j++) rows[(nf + 1) * i + j] = r.normal(20, 1);
    rows[(nf + 1) * i + nf] = target(kind, [rows[(nf + 1) * i]]);
  }
  const out = batchOutputs(n);
  new Learner(module).create(kind, nf).learnBatch(rows, out);
  let a = 0;
  for (let i = SETTLED; i < n; i++) if (out.flags[i] & Flag.Anomaly) a++;
  return (1000 * a) / (n - SETTLED);
}

const bench: BenchModule = {
  name: "spikes",
  description: "point spikes on the demo's room-1 stream: share the default anomaly detector reports, false alarms, the ABI-2 module beside; each anomaly kind's default flag on stationary noise",
  async run({ quick }) {
    const n = quick ? 6000 : 20000;
    const now = compileLearner();
    const before = compileLearner(V2_WASM);
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    const share = (ts: Tally[]) => ts.map((t) => (t.spikes ? t.reported / t.spikes : Number.NaN));
    const fa = (ts: Tally[]) => (1000 * ts.reduce((s, t) => s + t.falseAlarms, 0)) / ts.reduce((s, t) => s + t.readings, 0);
    const span = (v: number[]) => `${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}`;
    // one kind at one spike rate on every stream, through this module and the ABI-2 one
    const both = (kind: Kind, rate: number): [Tally[], Tally[]] =>
      [now, before].map((m) => (kind === Kind.AR ? AR_STREAMS : STREAMS).map(([nf, seed]) => tally(m, nf, seed, rate, n, kind))) as [Tally[], Tally[]];
    for (const rate of RATES) {
      const [a, b] = both(Kind.Surprise, rate);
      rows.push({
        metric: `spikes at ${(rate * 100).toFixed(1)} % of readings: share reported after reading ${SETTLED.toLocaleString("en")} (4 streams), this module / ABI-2 module`,
        value: `${span(share(a))} / ${span(share(b))}`,
        note: `false alarms per 1,000 other readings: ${fa(a).toFixed(2)} / ${fa(b).toFixed(2)}; ${a.reduce((s, t) => s + t.spikes, 0)} spikes`,
      });
      details[String(rate)] = { now: a, before: b };
    }
    // The other anomaly kinds on the same streams at 0.5 %: their defaults (open ranges, the
    // guard's stuck and spike tests off, thresholds) changed after ABI 2, so the old module
    // beside shows what the change did.
    for (const [name, kind] of [["HALFSPACE", Kind.HalfSpace], ["KMEANS", Kind.KMeans]] as const) {
      const [a, b] = both(kind, 0.005);
      rows.push({
        metric: `${name} at defaults, spikes at 0.5 % of readings: share reported after reading ${SETTLED.toLocaleString("en")} (4 streams), this module / ABI-2 module`,
        value: `${span(share(a))} / ${span(share(b))}`,
        note: `false alarms per 1,000 other readings: ${fa(a).toFixed(2)} / ${fa(b).toFixed(2)}`,
      });
      details[name] = { now: a, before: b };
    }
    // The forecaster's residual on one-feature streams (the value is its target): its score's
    // unit and its spike tests changed after ABI 2.
    for (const rate of [0.005, 0.02]) {
      const [a, b] = both(Kind.AR, rate);
      rows.push({
        metric: `AR residual at defaults, spikes at ${(rate * 100).toFixed(1)} % of readings, one feature: share reported after reading ${SETTLED.toLocaleString("en")} (4 streams), this module / ABI-2 module`,
        value: `${span(share(a))} / ${span(share(b))}`,
        note: `false alarms per 1,000 other readings: ${fa(a).toFixed(2)} / ${fa(b).toFixed(2)}`,
      });
      details[`AR ${rate}`] = { now: a, before: b };
    }
    for (const [name, kind] of [["SURPRISE", Kind.Surprise], ["HALFSPACE", Kind.HalfSpace], ["KMEANS", Kind.KMeans], ["AR residual", Kind.AR]] as const) {
      rows.push({
        metric: `${name} at defaults on stationary Gaussian noise: default flags per 1,000 readings after ${SETTLED.toLocaleString("en")}, 1 / 4 features`,
        value: `${noiseAlarms(now, kind, 1, n).toFixed(2)} / ${noiseAlarms(now, kind, 4, n).toFixed(2)}`,
        note: "every one a false alarm",
      });
    }
    return { name: "spikes", rows, details: { readings: n, settled: SETTLED, streams: STREAMS, ...details } };
  },
};
export default bench;
