// CSV reading for `edgelearn compare`: a header row, then one reading per line.
//
// The comparison needs every row in memory anyway (the periodic-retraining baseline keeps them
// all, which is the point being measured), so the file is read whole and parsed into one
// row-major Float64Array. Quoted fields ("a,b", "" escapes) are handled; a field that is not a
// number becomes NaN, which the learners treat as a missing value.

import { readFileSync } from "node:fs";

export type Task = "regression" | "classification";

/** Numeric rows: X is row-major, n rows of d features; y holds the target. */
export interface Dataset {
  features: string[];
  target: string;
  n: number;
  d: number;
  X: Float64Array;
  y: Float64Array;
  /** Classification only: the original label of class 0 and class 1. */
  classes?: [string, string];
  /** Columns left out because they were not numeric (when --features was not given). */
  skipped: string[];
}

export interface CsvOptions {
  task: Task;
  target: string;
  /** Feature columns; default: every numeric column except the target. */
  features?: string[];
}

/** Splits one CSV line into fields (RFC 4180 quoting, no embedded newlines). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let s = "";
      i++;
      while (i < n) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') { s += '"'; i += 2; continue; }
          i++;
          break;
        }
        s += line[i++];
      }
      out.push(s);
      while (i < n && line[i] !== ",") i++; // ignore junk after a closing quote
      i++;
    } else {
      const j = line.indexOf(",", i);
      const end = j < 0 ? n : j;
      out.push(line.slice(i, end).trim());
      i = end + 1;
    }
  }
  return out;
}

function toNumber(s: string): number {
  if (s === "") return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

const TRUE_WORDS = new Set(["1", "true", "yes", "y", "t", "pos", "positive"]);
const FALSE_WORDS = new Set(["0", "false", "no", "n", "f", "neg", "negative"]);

const isPositive = (s: string) => TRUE_WORDS.has(s.toLowerCase()) || Number(s) === 1;
const isNegative = (s: string) => FALSE_WORDS.has(s.toLowerCase()) || Number(s) === 0;

/**
 * Maps the target column of a classification file to 0/1: the two names in sorted order (so the
 * mapping does not depend on which came first), except that a word for yes or no (1, 0, true...)
 * keeps its meaning whatever the other name is ("1" and "unknown": "1" is class 1).
 *
 * Throws unless there are exactly two classes. With one, every learner that always answers it is
 * always right: the comparison would measure nothing (and the one class was always named class
 * 0, beside an invented "1" or "0", whatever its name: a "1" or "yes" was coded 0).
 */
function binaryLabels(raw: string[], target: string): { y: Float64Array; classes: [string, string] } {
  const distinct = [...new Set(raw.filter((s) => s !== ""))];
  if (distinct.length > 2) {
    throw new Error(`classification target "${target}" has ${distinct.length} distinct values (${distinct.slice(0, 5).join(", ")}, ...); only binary targets are supported`);
  }
  if (distinct.length === 0) throw new Error(`classification target "${target}" has no values`);
  if (distinct.length === 1) {
    throw new Error(
      `classification target "${target}" has one class only ("${distinct[0]}" in every row with a value); ` +
        `a comparison needs rows of both classes (a learner that always answers "${distinct[0]}" is never wrong here)`,
    );
  }
  let [zero, one] = distinct.sort();
  if ((isPositive(zero) && !isPositive(one)) || (isNegative(one) && !isNegative(zero))) [zero, one] = [one, zero];
  const y = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) y[i] = raw[i] === one ? 1 : raw[i] === zero ? 0 : NaN;
  return { y, classes: [zero, one] };
}

/** Parses CSV text (header row first) into a Dataset. */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  if (lines.length === 0) throw new Error("the file is empty");
  const header = splitCsvLine(lines[0].replace(/^\uFEFF/, ""));
  const col = new Map(header.map((h, i) => [h, i] as const));
  const ti = col.get(opts.target);
  if (ti === undefined) throw new Error(`target column "${opts.target}" not found; columns: ${header.join(", ")}`);
  const rows = lines.slice(1).filter((l) => l.trim() !== "").map(splitCsvLine);
  const n = rows.length;
  if (n === 0) throw new Error("the file has a header but no rows");

  let features: string[];
  const skipped: string[] = [];
  if (opts.features && opts.features.length > 0) {
    for (const f of opts.features) {
      if (!col.has(f)) throw new Error(`feature column "${f}" not found; columns: ${header.join(", ")}`);
    }
    features = opts.features;
  } else {
    // Keep a column when most of its non-empty cells are numbers (timestamps like ISO dates are not).
    features = [];
    for (let j = 0; j < header.length; j++) {
      if (j === ti) continue;
      let numeric = 0;
      let filled = 0;
      for (let i = 0; i < Math.min(n, 200); i++) {
        const s = rows[i][j] ?? "";
        if (s === "") continue;
        filled++;
        if (Number.isFinite(Number(s))) numeric++;
      }
      if (filled > 0 && numeric >= 0.9 * filled) features.push(header[j]);
      else skipped.push(header[j]);
    }
    if (features.length === 0) throw new Error("no numeric feature columns; name them with --features");
  }
  if (features.includes(opts.target)) throw new Error(`the target "${opts.target}" cannot also be a feature`);

  const d = features.length;
  const idx = features.map((f) => col.get(f)!);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    for (let j = 0; j < d; j++) X[i * d + j] = toNumber(r[idx[j]] ?? "");
  }
  const rawY = rows.map((r) => r[ti] ?? "");
  if (opts.task === "classification") {
    const { y, classes } = binaryLabels(rawY, opts.target);
    return { features, target: opts.target, n, d, X, y, classes, skipped };
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = toNumber(rawY[i]);
  return { features, target: opts.target, n, d, X, y, skipped };
}

export function readCsv(path: string, opts: CsvOptions): Dataset {
  return parseCsv(readFileSync(path, "utf8"), opts);
}
