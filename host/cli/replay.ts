// `edgelearn replay FILE.csv`: a prequential run of one model over a CSV file, row by row, as the
// service would learn it from a sensor: predict, then learn. The file is streamed (memory does not
// grow with its length); progress goes to stderr; the last stdout line is one JSON object.

import { createReadStream, createWriteStream, statSync, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { splitCsvLine } from "../compare/csv.js";
import { Learner, Flag, REJECT_MASK, Metric, errorName, LearnerError } from "../learner/index.js";
import { TASKS, SUPERVISED, type Task, type ModelConfig } from "../config/types.js";
import { modelSpec } from "../devices/model.js";
import { MODULE_REASONS, MODULE_REASON_MASK } from "../codecs/index.js";
import { flagList, numOrNull } from "../service/format.js";
import { EXIT, UsageError, parse, checkModule, type Io } from "./common.js";

export const REPLAY_HELP = `Usage: edgelearn replay FILE.csv --task T [--target COL] [--features a,b,...]
                       [--predictions OUT.csv] [--param NAME=VALUE ...]

Learns one model over the rows of FILE.csv (a header row, then one reading per line), in
order, predicting each row before learning it (prequential), exactly as the service learns
from a device. Cells that are not numbers are NaN (the guard refuses those rows).

Options:
  --task T              ${TASKS.join(", ")}                                  (required)
  --target COL          the column to predict (required for regression, classification, forecast)
  --features a,b,...    feature columns (default: every column numeric in the first row, but the target)
  --predictions FILE    write one row per input row: row, prediction, score, label, flags
  --param NAME=VALUE    a module parameter, e.g. --param learning_rate=0.1 (repeatable)
  --quiet               no progress on stderr
  -h, --help            this text

Output: progress on stderr (for long files); the last line on stdout is one JSON object:
  {"rows", "learned", "rejected", "rejected_by_reason", "metrics", "drifts" (row indices,
   0 = first data row), "seconds"}

Exit codes: 0 done, 2 bad usage, 3 learner module missing, 4 the file cannot be read or has
no such column.
`;

const TASK_METRICS: Record<Task, [string, number][]> = {
  regression: [["mae", Metric.MAE], ["rmse", Metric.RMSE]],
  forecast: [["mae", Metric.MAE], ["rmse", Metric.RMSE]],
  classification: [["accuracy", Metric.Accuracy], ["logloss", Metric.LogLoss]],
  anomaly: [],
  cluster: [],
};

export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    "replay",
    argv,
    {
      task: { type: "string" },
      target: { type: "string" },
      features: { type: "string" },
      predictions: { type: "string" },
      param: { type: "string", multiple: true },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    1,
  );
  if (values.help) {
    io.out(REPLAY_HELP);
    return EXIT.OK;
  }
  const file = positionals[0];
  if (!file) throw new UsageError("replay needs a FILE.csv (see edgelearn replay --help)");
  const task = values.task as Task | undefined;
  if (!task || !TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(", ")}`);
  if (SUPERVISED.has(task) && !values.target) throw new UsageError(`--target COL is required for task ${task}`);
  const params: Record<string, number> = {};
  for (const p of values.param ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(p);
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--param expects NAME=NUMBER, got ${JSON.stringify(p)}`);
    params[m[1]] = Number(m[2]);
  }
  if (!checkModule(io)) return EXIT.NO_MODULE;

  let size = 0;
  try {
    size = statSync(file).size;
  } catch (e) {
    io.err(`edgelearn: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return EXIT.BAD_INPUT;
  }
  const t0 = process.hrtime.bigint();
  const input = createReadStream(file);
  let readError: Error | undefined;
  input.on("error", (e) => (readError = e));
  const lines = createInterface({ input, crlfDelay: Infinity });

  let header: string[] | undefined;
  let featIdx: number[] = [];
  let targetIdx = -1;
  let learner: Learner | undefined;
  let out: WriteStream | undefined;
  let rows = 0;
  let learned = 0;
  let rejected = 0;
  let anomalies = 0;
  const byReason: Record<string, number> = {};
  const drifts: number[] = [];
  let bytes = 0;
  let lastProgress = 0;
  const progress = !values.quiet && process.stderr.isTTY === true && size > 1 << 20;

  for await (const line of lines) {
    bytes += line.length + 1;
    if (line.trim() === "") continue;
    const cells = splitCsvLine(line);
    if (!header) {
      header = cells.map((c) => c.trim());
      continue;
    }
    if (!learner) {
      // First data row: resolve columns, create the model.
      targetIdx = values.target ? header.indexOf(values.target) : -1;
      if (values.target && targetIdx < 0) {
        io.err(`edgelearn: ${file} has no column ${JSON.stringify(values.target)} (columns: ${header.join(", ")})\n`);
        return EXIT.BAD_INPUT;
      }
      const names = values.features
        ? values.features.split(",").map((s) => s.trim())
        : header.filter((h, i) => i !== targetIdx && cells[i] !== undefined && cells[i].trim() !== "" && Number.isFinite(Number(cells[i])));
      featIdx = names.map((n) => header!.indexOf(n));
      const missing = names.filter((_, i) => featIdx[i] < 0);
      if (missing.length) {
        io.err(`edgelearn: ${file} has no column ${missing.map((m) => JSON.stringify(m)).join(", ")} (columns: ${header.join(", ")})\n`);
        return EXIT.BAD_INPUT;
      }
      const model: ModelConfig = { task, features: names, target: values.target, params, ranges: {} };
      const spec = modelSpec(model, names, "replay");
      if (Array.isArray(spec)) throw new UsageError(spec.join("; ").replace(/replay\.params\./g, "--param "));
      learner = new Learner();
      try {
        learner.create(spec.kind, spec.nFeatures, spec.config);
      } catch (e) {
        if (e instanceof LearnerError) throw new UsageError(`the module refused this model: ${e.message}`);
        throw e;
      }
      if (values.predictions) {
        out = createWriteStream(values.predictions);
        out.write("row,prediction,score,label,flags\n");
      }
      if (!values.quiet) io.err(`replay: ${task} on ${names.length} features (${names.join(", ")})${values.target ? `, target ${values.target}` : ""}\n`);
    }
    const inBuf = learner.input;
    for (let i = 0; i < featIdx.length; i++) inBuf[i] = cellNumber(cells[featIdx[i]]);
    const y = targetIdx >= 0 ? cellNumber(cells[targetIdx]) : NaN;
    const flags = learner.raw.learn_one(y);
    if (flags < 0) throw new Error(`learn_one failed at row ${rows}: ${errorName(flags)}`);
    if (flags & Flag.Learned) learned++;
    if (flags & REJECT_MASK) rejected++;
    if (flags & MODULE_REASON_MASK) for (const [bit, name] of MODULE_REASONS) if (flags & bit) byReason[name] = (byReason[name] ?? 0) + 1;
    if (flags & Flag.Anomaly) anomalies++;
    if (flags & Flag.Drift) drifts.push(rows);
    if (out) {
      const predicted = (flags & Flag.Predicted) !== 0;
      const ok = out.write(
        `${rows},${predicted ? fmt(learner.prediction) : ""},${fmt(learner.score)},${predicted && learner.label >= 0 ? learner.label : ""},${flagList(flags).join("|")}\n`,
      );
      if (!ok) await new Promise<void>((r) => out!.once("drain", () => r()));
    }
    rows++;
    if (progress && (rows & 1023) === 0) {
      const t = Date.now();
      if (t - lastProgress > 200) {
        lastProgress = t;
        const f = Math.min(1, bytes / size);
        const w = 30;
        io.err(`\r[${"#".repeat(Math.round(f * w)).padEnd(w)}] ${(f * 100).toFixed(0).padStart(3)}%  ${rows} rows`);
      }
    }
  }
  if (readError) {
    io.err(`edgelearn: cannot read ${file} (${(readError as NodeJS.ErrnoException).code ?? readError.message})\n`);
    return EXIT.BAD_INPUT;
  }
  if (progress) io.err("\n");
  if (out) await new Promise<void>((r) => out!.end(() => r()));
  if (!header) {
    io.err(`edgelearn: ${file} is empty (expected a header row)\n`);
    return EXIT.BAD_INPUT;
  }
  const metrics: Record<string, number | null> = {};
  if (learner) for (const [name, id] of TASK_METRICS[task]) metrics[name] = numOrNull(learner.metric(id));
  if (task === "anomaly") metrics.anomalies = anomalies;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  io.out(JSON.stringify({ rows, learned, rejected, rejected_by_reason: byReason, metrics, drifts, seconds: +seconds.toFixed(3) }) + "\n");
  return EXIT.OK;
}

function cellNumber(c: string | undefined): number {
  if (c === undefined) return NaN;
  const s = c.trim();
  return s === "" ? NaN : Number(s);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(+x.toPrecision(7)) : "";
}
