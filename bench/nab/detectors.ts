// edgelearn's detectors over one NAB series, scored the way a user would run them: the module
// at its defaults (one feature, the value), every reading through learn_batch, the score of
// each reading taken before it is learned. A reading the module refuses (no score) counts as
// an alarm, score 1, as NAB would see a user's refusal.

import { Flag, Kind, Learner, batchOutputs, type LearnerConfig } from "../../host/learner/index.js";
import type { NabFile } from "./corpus.js";

export interface Detector {
  name: string;
  kind: Kind;
  config: LearnerConfig;
  /** The score NAB sees, from the output record (AR: its residual score). */
  default?: boolean;
}

export const DETECTORS: Detector[] = [
  { name: "edgelearn SURPRISE (default anomaly task)", kind: Kind.Surprise, config: {}, default: true },
  { name: "edgelearn HALFSPACE (defaults)", kind: Kind.HalfSpace, config: {} },
  { name: "edgelearn KMEANS distance (defaults)", kind: Kind.KMeans, config: {} },
  { name: "edgelearn AR(8) residual (defaults)", kind: Kind.AR, config: {} },
];

export interface DetectorRun {
  scores: Float64Array;
  /** 1 where the module raised its ANOMALY flag (or refused the reading). */
  alarms: Uint8Array;
  seconds: number;
  /** AR: its one-step forecasts' MAE over the file's naive forecast's (the last value), after
   * reading 100; below 1 the forecaster beats "no change". */
  maeVsNaive?: number;
}

export function runDetector(module: WebAssembly.Module, d: Detector, f: NabFile): DetectorRun {
  const n = f.values.length;
  const learner = new Learner(module).create(d.kind, 1, d.config);
  const rows = new Float32Array(n * 2);
  const supervised = d.kind === Kind.AR;
  for (let i = 0; i < n; i++) {
    rows[2 * i] = f.values[i];
    rows[2 * i + 1] = supervised ? f.values[i] : Number.NaN;
  }
  const out = batchOutputs(n);
  const t0 = process.hrtime.bigint();
  learner.learnBatch(rows, out);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const scores = new Float64Array(n);
  const alarms = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const refused = (out.flags[i] & 0x0f) !== 0 && Number.isNaN(out.score[i]);
    scores[i] = refused ? 1 : Number.isNaN(out.score[i]) ? 0 : out.score[i];
    alarms[i] = refused || (out.flags[i] & Flag.Anomaly) !== 0 ? 1 : 0;
  }
  return { scores, alarms, seconds, maeVsNaive: supervised ? maeVsNaive(f.values, out.prediction) : undefined };
}

function maeVsNaive(values: Float64Array, forecast: Float32Array): number {
  let e = 0, naive = 0;
  for (let i = 100; i < values.length; i++) {
    e += Math.abs(values[i] - forecast[i]);
    naive += Math.abs(values[i] - values[i - 1]);
  }
  return naive > 0 ? e / naive : Number.NaN;
}
