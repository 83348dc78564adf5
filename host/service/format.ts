// Output payloads. A prediction is built as one string (no intermediate objects); numbers are the
// module's f32 values printed with 7 significant digits; NaN and ±Inf become null or are left out.

import { Metric, flagNames, type Learner } from "../learner/index.js";
import { snakeCase } from "../learner/names.js";

const flagCache = new Map<number, string>();

/** Names of the set flags, as a JSON array string, e.g. ["learned","predicted"]. */
export function flagsJson(flags: number): string {
  let s = flagCache.get(flags);
  if (s === undefined) {
    s = JSON.stringify(flagList(flags));
    if (flagCache.size < 4096) flagCache.set(flags, s);
  }
  return s;
}

export function flagList(flags: number): string[] {
  return flagNames(flags).map(snakeCase);
}

/** An f32 as a short JSON number (7 significant digits, what an f32 carries), or "null". */
export function num(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-6 && a < 1e15) {
    // Scale to a 7-digit integer, round, scale back: both steps are exact in f64 for these
    // exponents, so String() prints the rounded decimal (faster than toPrecision).
    const e = Math.floor(Math.log10(a));
    const k = 6 - e;
    return String(k >= 0 ? Math.round(x * 10 ** k) / 10 ** k : Math.round(x / 10 ** -k) * 10 ** -k);
  }
  return String(+x.toPrecision(7));
}

export function numOrNull(x: number): number | null {
  return Number.isFinite(x) ? +x.toPrecision(7) : null;
}

/** `{ts, prediction, score?, error?, label?, next?, flags}`. */
export function predictionJson(ts: number, l: Learner, flags: number, predicted: boolean): string {
  let s = `{"ts":${Number.isFinite(ts) ? ts : "null"},"prediction":${predicted ? num(l.prediction) : "null"}`;
  const score = l.score;
  if (Number.isFinite(score)) s += `,"score":${num(score)}`;
  const err = l.error;
  if (Number.isFinite(err)) s += `,"error":${num(err)}`;
  const label = l.label;
  if (label >= 0 && predicted) s += `,"label":${label}`;
  const extra = l.extra;
  if (Number.isFinite(extra)) s += `,"extra":${num(extra)}`;
  return s + `,"flags":${flagsJson(flags)}}`;
}

/** The prediction and label as a prediction payload prints them (what "on change" compares). */
export function predictionText(l: Learner, predicted: boolean): string {
  if (!predicted) return "null";
  const label = l.label;
  return label >= 0 ? `${num(l.prediction)}/${label}` : num(l.prediction);
}

const METRICS: ReadonlyArray<readonly [number, string]> = (Object.entries(Metric) as [string, number | string][])
  .filter(([, v]) => typeof v === "number")
  .map(([k, v]) => [v as number, snakeCase(k)] as const);

/** The live model's defined metrics by name (mae, rmse, accuracy, logloss, their _ew forms, ...). */
export function metricsOf(l: Learner): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [id, name] of METRICS) {
    const v = l.metric(id);
    if (Number.isFinite(v)) o[name] = +v.toPrecision(7);
  }
  return o;
}
