// Anomaly detection on the Numenta Anomaly Benchmark files in ../shared/data/nab (MIT; labelled
// anomaly windows in combined_windows.json). Per file and detector: the share of labelled
// windows in which the score goes above the threshold at least once, false alarms per 1,000
// readings outside the windows, and ROC AUC of in-window against outside readings (threshold
// free). Two thresholds: the module's own ANOMALY flag (ANOMALY_THRESHOLD default), and one
// calibrated the same way for every detector: the 99.5th percentile of its scores over NAB's
// probationary period (the first 15% of the file, after a 250-reading warm-up).
//
// Detectors see two features per reading, the value and its first difference; the guard's
// spike and stuck tests are off so that every reading is scored. River's HalfSpaceTrees
// (MinMaxScaler | HalfSpaceTrees, River defaults) runs on the same features when
// `python3 -c "import river"` works. Numbers are printed, not asserted.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Flag, Kind, Learner, Param, compileLearner, type LearnerConfig } from "../host/learner/index.js";
import { prequential } from "../host/sim/prequential.js";
import type { Sample } from "../host/sim/index.js";
import type { BenchModule, BenchRow } from "./types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NAB = process.env.EDGELEARN_NAB_DIR ?? resolve(ROOT, "..", "shared", "data", "nab");
const PY = join(ROOT, "bench", "python", "nab_river_hst.py");
const PYTHON = process.env.PYTHON ?? "python3";

interface Series {
  file: string;
  samples: Sample[];
  /** Per reading: index of its labelled window, or -1. */
  window: Int32Array;
  windows: number;
}

function loadSeries(path: string, windows: [string, string][]): Series {
  const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
  const ts: string[] = [];
  const samples: Sample[] = [];
  let prev = NaN;
  for (const line of lines) {
    const [t, v] = line.split(",");
    const value = Number(v);
    ts.push(t.slice(0, 19));
    samples.push({ x: [value, Number.isNaN(prev) ? 0 : value - prev], y: value });
    prev = value;
  }
  const window = new Int32Array(samples.length).fill(-1);
  windows.forEach(([a, b], k) => {
    const lo = a.slice(0, 19), hi = b.slice(0, 19);
    ts.forEach((t, i) => {
      if (t >= lo && t <= hi) window[i] = k;
    });
  });
  return { file: basename(path), samples, window, windows: windows.length };
}

interface Detector {
  name: string;
  kind: Kind;
  nFeatures: number;
  config: LearnerConfig;
  /** Reading features for the detector (AR sees the value only; y is the value). */
  features(s: Sample): Sample;
}

const GUARD_OFF = { [Param.SpikeT]: 0, [Param.StuckK]: 0, [Param.TargetSpike]: 0 };
const DETECTORS: Detector[] = [
  { name: "edgelearn HALFSPACE (10 trees, height 6)", kind: Kind.HalfSpace, nFeatures: 2, config: { params: { ...GUARD_OFF } }, features: (s) => ({ x: s.x, y: NaN }) },
  { name: "edgelearn HALFSPACE, EW scaler", kind: Kind.HalfSpace, nFeatures: 2, config: { params: { ...GUARD_OFF, [Param.Scaler]: 2 } }, features: (s) => ({ x: s.x, y: NaN }) },
  { name: "edgelearn AR(8) residual", kind: Kind.AR, nFeatures: 1, config: { params: { ...GUARD_OFF } }, features: (s) => ({ x: [s.y], y: s.y }) },
  { name: "edgelearn KMEANS (k 3) distance", kind: Kind.KMeans, nFeatures: 2, config: { params: { ...GUARD_OFF } }, features: (s) => ({ x: s.x, y: NaN }) },
];

interface Scored {
  scores: Float64Array;
  /** The module's ANOMALY flag, when the detector has one. */
  flags?: Uint8Array;
  seconds: number;
}

function runModule(d: Detector, s: Series, module: WebAssembly.Module): Scored {
  const l = new Learner(module).create(d.kind, d.nFeatures, d.config);
  const input = s.samples.map(d.features);
  const t0 = process.hrtime.bigint();
  const o = prequential(l, input);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const scores = Float64Array.from(o.score, (v) => (Number.isFinite(v) ? v : 0));
  const flags = Uint8Array.from(o.flags, (f) => (f & Flag.Anomaly ? 1 : 0));
  return { scores, flags, seconds };
}

function runRiver(path: string): Scored | undefined {
  const r = spawnSync(PYTHON, [PY, path], { encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) return undefined;
  const lines = r.stdout.trim().split("\n");
  const last = lines.pop() ?? "";
  const seconds = Number(last.replace("# seconds", ""));
  return { scores: Float64Array.from(lines, Number), seconds };
}

function riverAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import river"], { encoding: "utf8" }).status === 0;
}

interface Outcome {
  hit: number;
  windows: number;
  falsePer1000: number;
}

function evaluate(s: Series, alarm: (i: number) => boolean, from: number): Outcome {
  const hitWin = new Set<number>();
  let fa = 0, outside = 0;
  for (let i = from; i < s.samples.length; i++) {
    const w = s.window[i];
    if (w >= 0) {
      if (alarm(i)) hitWin.add(w);
    } else {
      outside++;
      if (alarm(i)) fa++;
    }
  }
  return { hit: hitWin.size, windows: s.windows, falsePer1000: outside ? (1000 * fa) / outside : 0 };
}

/** ROC AUC of in-window against outside-window scores (Mann–Whitney, ties one half). */
function auc(s: Series, scores: Float64Array, from: number): number {
  const pos: number[] = [], neg: number[] = [];
  for (let i = from; i < scores.length; i++) (s.window[i] >= 0 ? pos : neg).push(scores[i]);
  if (!pos.length || !neg.length) return NaN;
  const all = pos.map((v) => [v, 1]).concat(neg.map((v) => [v, 0])).sort((a, b) => a[0] - b[0]);
  let rank = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rank += (i + j + 1) / 2;
    i = j;
  }
  return (rank - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

function quantile(a: Float64Array, from: number, to: number, q: number): number {
  const v = Array.from(a.subarray(from, to)).sort((x, y) => x - y);
  return v[Math.min(v.length - 1, Math.floor(q * v.length))];
}

const WARM = 250;

const bench: BenchModule = {
  name: "nab",
  description: "anomaly scores on NAB files: labelled windows detected, false alarms per 1,000 readings outside windows, ROC AUC; River's HalfSpaceTrees beside",
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    if (!existsSync(join(NAB, "combined_windows.json"))) {
      rows.push({ metric: "NAB data", value: "missing", note: `no ${NAB}/combined_windows.json (set EDGELEARN_NAB_DIR)` });
      return { name: "nab", rows };
    }
    const labels = JSON.parse(readFileSync(join(NAB, "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
    const byFile = new Map(Object.entries(labels).map(([k, v]) => [basename(k), v]));
    const files = [...byFile.keys()].filter((f) => existsSync(join(NAB, f))).sort();
    const river = riverAvailable();
    if (!river) log("nab: River not importable, River rows skipped (pip install river)");
    const module = compileLearner();
    const totals = new Map<string, { hit: number; windows: number; fa: number[]; hitCal: number; faCal: number[]; auc: number[] }>();
    const details: Record<string, unknown> = {};
    for (const file of quick ? files.filter((f) => f === "art_daily_jumpsup.csv") : files) {
      log(`nab: ${file}`);
      const s = loadSeries(join(NAB, file), byFile.get(file) ?? []);
      const probation = Math.max(WARM + 100, Math.floor(0.15 * s.samples.length));
      const results: [string, Scored | undefined][] = DETECTORS.map((d) => [d.name, runModule(d, s, module)]);
      if (river) results.push(["River HalfSpaceTrees (10 trees, height 8)", runRiver(join(NAB, file))]);
      for (const [name, r] of results) {
        if (!r) {
          rows.push({ metric: `${file}: ${name}`, value: "failed" });
          continue;
        }
        const thr = quantile(r.scores, WARM, probation, 0.995);
        const cal = evaluate(s, (i) => r.scores[i] > thr, probation);
        const def = r.flags ? evaluate(s, (i) => r.flags![i] === 1, WARM) : undefined;
        const a = auc(s, r.scores, WARM);
        const t = totals.get(name) ?? { hit: 0, windows: 0, fa: [], hitCal: 0, faCal: [], auc: [] };
        t.windows += s.windows;
        t.hitCal += cal.hit;
        t.faCal.push(cal.falsePer1000);
        if (def) {
          t.hit += def.hit;
          t.fa.push(def.falsePer1000);
        }
        if (Number.isFinite(a)) t.auc.push(a);
        totals.set(name, t);
        const note = [
          `calibrated (p99.5 of probation = ${thr.toFixed(3)}): ${cal.hit}/${cal.windows} windows, ${cal.falsePer1000.toFixed(1)} false/1000`,
          def ? `module flag: ${def.hit}/${def.windows} windows, ${def.falsePer1000.toFixed(1)} false/1000` : "",
          Number.isFinite(a) ? `AUC ${a.toFixed(3)}` : "no windows",
          `${((r.seconds * 1e6) / s.samples.length).toFixed(2)} µs/reading (edgelearn: incl. packing rows, one run)`,
        ].filter(Boolean);
        rows.push({
          metric: `${file}: ${name}`,
          value: s.windows ? Number((cal.hit / s.windows).toFixed(3)) : "-",
          unit: "windows hit (calibrated)",
          note: note.join("; "),
        });
        details[`${file}: ${name}`] = { threshold: thr, calibrated: cal, moduleFlag: def, auc: a, seconds: r.seconds };
      }
    }
    const avg = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
    for (const [name, t] of totals) {
      rows.push({
        metric: `all files: ${name}`,
        value: Number((t.hitCal / t.windows).toFixed(3)),
        unit: "windows hit (calibrated)",
        note: `calibrated ${t.hitCal}/${t.windows}, ${avg(t.faCal).toFixed(1)} false/1000 (mean over files); ${t.fa.length ? `module flag ${t.hit}/${t.windows}, ${avg(t.fa).toFixed(1)} false/1000; ` : ""}mean AUC ${avg(t.auc).toFixed(3)}`,
      });
    }
    return { name: "nab", rows, details: { nabDir: NAB, river, ...details } };
  },
};
export default bench;
