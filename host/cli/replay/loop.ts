// The replay loop: on the first data row the columns are resolved and the model created; then
// every row is predicted and learned (learn_one), counted, and written to the predictions file
// when one was asked for.

import { Learner, Flag, MAX_FEATURES, errorName, LearnerError } from "../../learner/index.js";
import type { ModelConfig } from "../../config/types.js";
import { modelSpec } from "../../devices/model.js";
import { MODULE_REASONS, MODULE_REASON_MASK } from "../../codecs/index.js";
import { flagList } from "../../service/format.js";
import { UsageError, type Io } from "../common.js";
import type { ReplayOptions } from "./args.js";
import { cellNumber, type CsvRows } from "./rows.js";
import type { PredictionsFile } from "./predictions.js";

/** What the loop counted. */
export interface ReplayTally {
  rows: number;
  learned: number;
  /** Rows with any reject reason: refused readings, and rows predicted but not learned for want of a
   *  usable target (no_target, bad_target), as the service counts them. */
  rejected: number;
  anomalies: number;
  /** Rows per reason (a row may have several), only reasons seen. */
  byReason: Record<string, number>;
  /** Row indices of the drifts (0 = first data row). */
  drifts: number[];
  /** undefined when the file has no data row. */
  learner: Learner | undefined;
}

/** The model and where its features and target are in each row. */
interface Columns {
  learner: Learner;
  featIdx: number[];
  targetIdx: number;
}

/** The feature names and where they and the target are; a string: which column is missing. */
function resolveColumns(o: ReplayOptions, header: string[], first: string[]): { names: string[]; featIdx: number[]; targetIdx: number } | string {
  const targetIdx = o.target ? header.indexOf(o.target) : -1;
  if (o.target && targetIdx < 0) return `${o.file} has no column ${JSON.stringify(o.target)} (columns: ${header.join(", ")})`;
  const names = o.features ?? header.filter((h, i) => i !== targetIdx && first[i] !== undefined && first[i].trim() !== "" && Number.isFinite(Number(first[i])));
  const featIdx = names.map((n) => header.indexOf(n));
  const missing = names.filter((_, i) => featIdx[i] < 0);
  if (missing.length) return `${o.file} has no column ${missing.map((m) => JSON.stringify(m)).join(", ")} (columns: ${header.join(", ")})`;
  if (names.length > MAX_FEATURES) return `${o.file}: ${names.length} feature columns; a model takes at most ${MAX_FEATURES} (choose them with --features)`;
  return { names, featIdx, targetIdx };
}

/** Resolves the columns against the header and the first row, and creates the model; a string: which column is missing. */
function openModel(o: ReplayOptions, header: string[], first: string[]): Columns | string {
  const resolved = resolveColumns(o, header, first);
  if (typeof resolved === "string") return resolved;
  const { names, featIdx, targetIdx } = resolved;
  const model: ModelConfig = { task: o.task, features: names, target: o.target, params: o.params, ranges: {} };
  const spec = modelSpec(model, names, "replay");
  if (Array.isArray(spec)) throw new UsageError(spec.join("; ").replace(/replay\.params\./g, "--param "));
  const learner = new Learner();
  try {
    learner.create(spec.kind, spec.nFeatures, spec.config);
  } catch (e) {
    if (e instanceof LearnerError) throw new UsageError(`the module refused this model: ${e.message}`);
    throw e;
  }
  return { learner, featIdx, targetIdx };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(+x.toPrecision(7)) : "";
}

/**
 * Runs the model over every row, writing one line per row to `out` when given (it stops at a write
 * error, which `out.error` then holds): the tally, or a message why the file cannot be used.
 */
export async function replayRows(o: ReplayOptions, rows: CsvRows, io: Io, out?: PredictionsFile): Promise<ReplayTally | string> {
  const t: ReplayTally = { rows: 0, learned: 0, rejected: 0, anomalies: 0, byReason: {}, drifts: [], learner: undefined };
  let cols: Columns | undefined;
  let lastProgress = 0;
  const progress = !o.quiet && process.stderr.isTTY === true && rows.size > 1 << 20;

  for await (const cells of rows) {
    if (!cols) {
      const opened = openModel(o, rows.header!, cells);
      if (typeof opened === "string") return opened;
      cols = opened;
      t.learner = cols.learner;
      if (!o.quiet) {
        const names = cols.featIdx.map((i) => rows.header![i]);
        io.err(`replay: ${o.task} on ${names.length} features (${names.join(", ")})${o.target ? `, target ${o.target}` : ""}\n`);
      }
    }
    const { learner, featIdx, targetIdx } = cols;
    const inBuf = learner.input;
    for (let i = 0; i < featIdx.length; i++) inBuf[i] = cellNumber(cells[featIdx[i]]);
    const y = targetIdx >= 0 ? cellNumber(cells[targetIdx]) : NaN;
    const flags = learner.raw.learn_one(y);
    if (flags < 0) throw new Error(`learn_one failed at row ${t.rows}: ${errorName(flags)}`);
    if (flags & Flag.Learned) t.learned++;
    if (flags & MODULE_REASON_MASK) {
      t.rejected++;
      for (const [bit, name] of MODULE_REASONS) if (flags & bit) t.byReason[name] = (t.byReason[name] ?? 0) + 1;
    }
    if (flags & Flag.Anomaly) t.anomalies++;
    if (flags & Flag.Drift) t.drifts.push(t.rows);
    if (out) {
      const predicted = (flags & Flag.Predicted) !== 0;
      out.write(`${t.rows},${predicted ? fmt(learner.prediction) : ""},${fmt(learner.score)},${predicted && learner.label >= 0 ? learner.label : ""},${flagList(flags).join("|")}\n`);
      if (out.error) break;
    }
    t.rows++;
    if (progress && (t.rows & 1023) === 0) {
      const now = Date.now();
      if (now - lastProgress > 200) {
        lastProgress = now;
        const f = Math.min(1, rows.bytes / rows.size);
        const w = 30;
        io.err(`\r[${"#".repeat(Math.round(f * w)).padEnd(w)}] ${(f * 100).toFixed(0).padStart(3)}%  ${t.rows} rows`);
      }
    }
  }
  if (progress) io.err("\n");
  // A header and no rows: the columns asked for must still exist (a misspelt one is bad input).
  if (!cols && rows.header) {
    const resolved = resolveColumns(o, rows.header, []);
    if (typeof resolved === "string") return resolved;
  }
  return t;
}
