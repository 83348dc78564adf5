// Runs one sensor stream (bench/lib/sensor-streams.ts) through one model kind at its defaults
// and tallies what an operator would see: readings refused and why, anomaly flags and drift
// alarms on normal readings, whether a failure is caught and how fast, how many failure
// readings were learned, and what happens after a real change.
//
// How each kind sees a one-value sensor: the anomaly kinds (HALFSPACE, KMEANS, SURPRISE) get the
// value as their one feature; LINEAR learns y = 2 × truth + 3 (+ noise) from the value, LOGISTIC
// whether the truth is above its median (flipped on 2 % of readings), MEAN and AR (a series,
// no features, as the service runs a forecast of a device with one field) forecast the value
// itself. The targets follow the truth, so a sentinel is never in a supervised target except
// where the value is the target (MEAN, AR).

import { Flag, Kind, Learner, batchOutputs, type BatchOutputs } from "../../host/learner/index.js";
import { Prng } from "../../host/tools/sim/prng.js";
import type { SensorStream } from "./sensor-streams.js";

export const KINDS: [string, Kind][] = [
  ["LINEAR", Kind.Linear],
  ["LOGISTIC", Kind.Logistic],
  ["HALFSPACE", Kind.HalfSpace],
  ["AR", Kind.AR],
  ["KMEANS", Kind.KMeans],
  ["SURPRISE", Kind.Surprise],
  ["MEAN", Kind.Mean],
];

/** Readings before anomaly flags are counted (warm-ups, the first day of a new sensor). */
export const SETTLED = 2000;

export interface Judgement {
  stream: string;
  kind: string;
  readings: number;
  /** Normal (non-failure) readings refused (reject bits 0-3), by reason. */
  refused: { nonfinite: number; range: number; stuck: number; spike: number; any: number };
  /** Normal readings whose target was refused (REJ_BAD_TARGET). */
  badTarget: number;
  /** Normal readings after SETTLED flagged ANOMALY, per 1,000. */
  anomalyPer1000: number;
  /** DRIFT flags on normal readings, per million readings. */
  driftPerMillion: number;
  /** Failure readings: how many, how many flagged (refused, bad target or ANOMALY), how many learned. */
  faults: number;
  faultsCaught: number;
  faultsLearned: number;
  /** Readings from the first failure to the first one caught (-1: none caught, or no failure). */
  latency: number;
  /** After a real change: readings refused, flagged, and until the model had settled (see settle). */
  afterChange?: { refused: number; flagged: number; drifts: number; settle: number };
  /** Supervised kinds: mean |error| (LOGISTIC: log-loss) on normal readings after SETTLED. */
  mae: number;
}

const isSupervised = (k: Kind): boolean => k === Kind.Linear || k === Kind.Logistic || k === Kind.Mean || k === Kind.AR;

/** The rows (features then target) a kind learns from a stream. */
export function rowsFor(kind: Kind, s: SensorStream, seed = 5): { rows: Float32Array; nf: number } {
  const n = s.value.length;
  const nf = kind === Kind.AR ? 0 : 1;
  const rows = new Float32Array((nf + 1) * n);
  const r = new Prng(seed);
  const median = Float64Array.from(s.truth).sort()[n >> 1];
  for (let i = 0; i < n; i++) {
    if (nf === 1) rows[2 * i] = s.value[i];
    let y = NaN;
    if (kind === Kind.Linear) y = 2 * s.truth[i] + 3 + r.normal(0, 0.05);
    else if (kind === Kind.Logistic) y = (s.truth[i] > median) !== r.chance(0.02) ? 1 : 0;
    else if (kind === Kind.Mean || kind === Kind.AR) y = s.value[i];
    rows[(nf + 1) * i + nf] = y;
  }
  return { rows, nf };
}

/** Learns a stream with a fresh learner of `kind` at its defaults; the outputs per reading. */
export function learnStream(module: WebAssembly.Module, kind: Kind, s: SensorStream): BatchOutputs {
  const { rows, nf } = rowsFor(kind, s);
  const out = batchOutputs(s.value.length);
  new Learner(module).create(kind, nf).learnBatch(rows, out);
  return out;
}

const REFUSED = Flag.RejNonFinite | Flag.RejRange | Flag.RejStuck | Flag.RejSpike;
const CAUGHT = REFUSED | Flag.RejNoTarget | Flag.RejBadTarget | Flag.Anomaly;

/** The tallies of one stream's outputs. */
export function judge(kindName: string, kind: Kind, s: SensorStream, out: BatchOutputs): Judgement {
  const n = s.value.length;
  const j: Judgement = {
    stream: s.name,
    kind: kindName,
    readings: n,
    refused: { nonfinite: 0, range: 0, stuck: 0, spike: 0, any: 0 },
    badTarget: 0,
    anomalyPer1000: 0,
    driftPerMillion: 0,
    faults: 0,
    faultsCaught: 0,
    faultsLearned: 0,
    latency: -1,
    mae: NaN,
  };
  let normal = 0;
  let settled = 0;
  let flagged = 0;
  let drifts = 0;
  let errSum = 0;
  let errN = 0;
  const end = s.change >= 0 ? s.change : n;
  for (let i = 0; i < n; i++) {
    const f = out.flags[i];
    if (s.fault[i]) {
      j.faults++;
      if (f & CAUGHT) {
        j.faultsCaught++;
        if (j.latency < 0) j.latency = i - s.faultStart;
      }
      if (f & Flag.Learned) j.faultsLearned++;
      continue;
    }
    if (i >= end) continue;
    normal++;
    if (f & REFUSED) j.refused.any++;
    if (f & Flag.RejNonFinite) j.refused.nonfinite++;
    if (f & Flag.RejRange) j.refused.range++;
    if (f & Flag.RejStuck) j.refused.stuck++;
    if (f & Flag.RejSpike) j.refused.spike++;
    if (f & Flag.RejBadTarget) j.badTarget++;
    if (f & Flag.Drift) drifts++;
    if (i >= SETTLED) {
      settled++;
      if (f & Flag.Anomaly) flagged++;
      const e = out.error[i];
      if (isSupervised(kind) && Number.isFinite(e)) {
        errSum += Math.abs(e); // LOGISTIC: the log-loss
        errN++;
      }
    }
  }
  j.anomalyPer1000 = settled ? (1000 * flagged) / settled : 0;
  j.driftPerMillion = normal ? (1e6 * drifts) / normal : 0;
  j.mae = errN ? errSum / errN : NaN;
  if (s.change >= 0) j.afterChange = afterChange(kind, s, out, j.mae);
  return j;
}

/**
 * After a real change: refused readings, anomaly flags and drifts, and `settle`, the readings
 * until the last of them (refused, flagged, or for LINEAR, MEAN and AR a block of 100 readings
 * whose mean |error| is above twice the mean before the change) within the 20,000 readings that
 * follow.
 */
function afterChange(kind: Kind, s: SensorStream, out: BatchOutputs, maeBefore: number): Judgement["afterChange"] {
  const a = { refused: 0, flagged: 0, drifts: 0, settle: 0 };
  const end = Math.min(s.value.length, s.change + 20000);
  const errors = isSupervised(kind) && kind !== Kind.Logistic;
  let blockErr = 0;
  let blockN = 0;
  for (let i = s.change; i < end; i++) {
    const f = out.flags[i];
    let bad = false;
    if (f & REFUSED) {
      a.refused++;
      bad = true;
    }
    if (f & Flag.Anomaly) {
      a.flagged++;
      bad = true;
    }
    if (f & Flag.Drift) a.drifts++;
    if (bad) a.settle = i - s.change + 1;
    if (!errors || !Number.isFinite(out.error[i])) continue;
    blockErr += Math.abs(out.error[i]);
    if (++blockN < 100) continue;
    if (blockErr / blockN > 2 * maeBefore) a.settle = Math.max(a.settle, i - s.change + 1);
    blockErr = 0;
    blockN = 0;
  }
  return a;
}
