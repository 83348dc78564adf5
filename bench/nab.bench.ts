// The Numenta Anomaly Benchmark, scored by NAB's rules (bench/nab/scorer.ts, checked against the
// published scores of two detectors in test/bench/nab-scorer.test.ts): all 58 files, all three
// profiles, one threshold per detector for the whole corpus. edgelearn's detectors run at their
// defaults on the value alone; River's HalfSpaceTrees runs beside on the same rows when Python
// has River (full run only). Also: the default ANOMALY flag's false alarms per 1,000 readings on
// the artificialNoAnomaly files and outside the labelled windows elsewhere, and µs per reading.
// Numbers are printed, not asserted.

import { spawnSync } from "node:child_process";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileLearner } from "../host/learner/index.js";
import { hasNab, loadNab, nabDir, type NabFile } from "./nab/corpus.js";
import { DETECTORS, runDetector } from "./nab/detectors.js";
import { PROFILES, planRows, sweep, type RowPlan, type ScoredFile } from "./nab/scorer.js";
import { riverAvailable } from "./lib/river.js";
import type { BenchModule, BenchRow } from "./types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PYTHON = process.env.PYTHON ?? "python3";

/** NAB's published scoreboard (standard / low FP / low FN), for the table beside ours. */
export const SCOREBOARD: [string, number, number, number][] = [
  ["ARTime", 74.9, Number.NaN, Number.NaN],
  ["Numenta HTM", 70.1, 63.1, 74.3],
  ["CAD OSE", 69.9, 67.0, 73.2],
  ["KNN CAD", 58.0, 43.4, 64.8],
  ["Relative Entropy", 54.6, 47.6, 58.8],
  ["Random Cut Forest", 51.7, 38.4, 59.7],
  ["Twitter ADVec", 47.1, 33.6, 53.5],
  ["Windowed Gaussian", 39.6, 20.9, 47.4],
  ["Etsy Skyline", 35.7, 27.1, 44.5],
];

function riverHst(f: NabFile, dir: string): { scores: Float64Array; seconds: number } | undefined {
  const r = spawnSync(PYTHON, [join(ROOT, "bench", "python", "nab_river_hst.py"), join(dir, basename(f.path))], { encoding: "utf8", maxBuffer: 1 << 26, timeout: 600_000 });
  if (r.status !== 0) return undefined;
  const lines = r.stdout.trim().split("\n");
  const seconds = Number((lines.pop() ?? "").replace("# seconds", ""));
  return { scores: Float64Array.from(lines, Number), seconds };
}

/** False alarms per 1,000 scored (non-probation) readings outside every window. */
function falseAlarmRate(files: NabFile[], plans: RowPlan[], alarms: Uint8Array[], only?: (f: NabFile) => boolean): number {
  let outside = 0, fa = 0;
  files.forEach((f, k) => {
    if (only && !only(f)) return;
    const w = plans[k].window;
    for (let i = 0; i < w.length; i++) {
      if (w[i] !== -1) continue;
      outside++;
      fa += alarms[k][i];
    }
  });
  return outside ? (1000 * fa) / outside : 0;
}

/** The forecaster's accuracy on the same files: its MAE over the naive forecast's, per file. */
function forecastRow(name: string, ratios: number[]): BenchRow {
  const sorted = [...ratios].sort((a, b) => a - b);
  const geo = Math.exp(ratios.reduce((s, v) => s + Math.log(v), 0) / ratios.length);
  const beats = ratios.filter((v) => v < 1).length;
  return {
    metric: `${name}: one-step forecast MAE / naive forecast's MAE, per file`,
    value: `${geo.toFixed(3)} geometric mean, ${sorted[sorted.length >> 1].toFixed(3)} median, worst ${sorted[sorted.length - 1].toPrecision(3)}`,
    note: `below 1 beats "the last value"; ${beats} of ${ratios.length} files`,
  };
}

const bench: BenchModule = {
  name: "nab",
  description: "NAB scores (standard / low FP / low FN) of edgelearn's detectors at defaults, River's HalfSpaceTrees beside, the published scoreboard",
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    if (!hasNab()) {
      rows.push({ metric: "NAB data", value: "missing", note: `no ${nabDir()}/combined_windows.json (set EDGELEARN_NAB_DIR)` });
      return { name: "nab", rows };
    }
    const corpus = loadNab();
    let id = 0;
    const plans = corpus.files.map((f) => {
      const p = planRows(f.values.length, f.windows, id);
      id += f.windows.length;
      return p;
    });
    const module = compileLearner();
    const readings = corpus.files.reduce((n, f) => n + f.values.length, 0);
    const details: Record<string, unknown> = {};
    const results: { name: string; scored: ScoredFile[]; seconds: number; alarms?: Uint8Array[] }[] = [];
    const forecastRows: BenchRow[] = [];
    for (const d of DETECTORS) {
      log(`nab: ${d.name}`);
      const runs = corpus.files.map((f) => runDetector(module, d, f));
      results.push({ name: d.name, scored: runs.map((r, k) => ({ plan: plans[k], scores: r.scores })), seconds: runs.reduce((s, r) => s + r.seconds, 0), alarms: runs.map((r) => r.alarms) });
      const ratios = runs.map((r) => r.maeVsNaive).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (ratios.length) forecastRows.push(forecastRow(d.name, ratios));
    }
    if (!quick && riverAvailable()) {
      log("nab: River HalfSpaceTrees (58 files)");
      const runs = corpus.files.map((f) => riverHst(f, corpus.dir));
      if (runs.every((r) => r !== undefined)) {
        results.push({ name: "River HalfSpaceTrees (value + difference, MinMaxScaler)", scored: runs.map((r, k) => ({ plan: plans[k], scores: r!.scores })), seconds: runs.reduce((s, r) => s + r!.seconds, 0) });
      }
    }
    for (const r of results) {
      const scores = PROFILES.map((p) => sweep(r.scored, p, corpus.labelCount));
      const [std, lowFp, lowFn] = scores;
      rows.push({
        metric: `${r.name}: NAB standard / low FP / low FN`,
        value: `${std.normalized.toFixed(1)} / ${lowFp.normalized.toFixed(1)} / ${lowFn.normalized.toFixed(1)}`,
        note: `standard: threshold ${std.threshold.toPrecision(4)}, ${std.hits}/${std.windows} windows, ${std.falsePositives} false positives; ${((r.seconds * 1e6) / readings).toFixed(2)} µs/reading`,
      });
      details[r.name] = { profiles: Object.fromEntries(PROFILES.map((p, k) => [p.name, scores[k]])), seconds: r.seconds };
      if (r.alarms) {
        const noAnomaly = falseAlarmRate(corpus.files, plans, r.alarms, (f) => f.path.startsWith("artificialNoAnomaly/"));
        const outside = falseAlarmRate(corpus.files, plans, r.alarms);
        rows.push({ metric: `${r.name}: default flag, false alarms per 1,000 readings`, value: `${noAnomaly.toFixed(2)} / ${outside.toFixed(2)}`, note: "artificialNoAnomaly files / outside every window (after probation), refused readings counted as alarms" });
      }
    }
    rows.push(...forecastRows);
    const fig = (v: number): string => (Number.isNaN(v) ? "–" : String(v));
    for (const [name, a, b, c] of SCOREBOARD) rows.push({ metric: `published: ${name}`, value: `${fig(a)} / ${fig(b)} / ${fig(c)}`, note: "NAB scoreboard (standard / low FP / low FN)" });
    return { name: "nab", rows, details: { readings, files: corpus.files.length, ...details } };
  },
};
export default bench;
