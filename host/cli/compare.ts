// `edgelearn compare FILE.csv --task regression|classification --target COL ...`
//
// Online (this module) against the two batch pipelines people actually run, on the user's own
// data, prequentially (the learners and the report: host/tools/compare). Exit codes as for every
// edgelearn command (host/cli/common.ts): 0 done, 1 failure, 2 bad usage, 3 learner module
// missing, 4 the CSV cannot be read or used.

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { EXIT, UsageError, checkModule, nameList, onlyOnce, type Io } from "./common.js";
import { readCsv, type Dataset, type Task } from "../tools/compare/csv.js";
import { createModuleLearner, parseParams } from "../tools/compare/online.js";
import { compare, formatReport } from "../tools/compare/report.js";
import type { OnlineLearner } from "../tools/compare/runners.js";
import { renderSvg } from "../tools/compare/svg.js";
import { ErrorCode, LearnerError, MAX_FEATURES } from "../learner/index.js";

export const COMPARE_HELP = `Usage: edgelearn compare FILE.csv --task regression|classification --target COL [options]

Runs three learners over the rows of FILE.csv in order, each predicting a row before it sees
its label (prequential evaluation):
  online    the edgelearn module: predict, then learn, on every row
  offline   a batch model of the same family (ridge regression in closed form, or logistic
            regression by Newton's method), trained once on the first part and then frozen
  periodic  the same batch model, retrained every N rows on all rows seen so far

All three are scored on the rows after the training part. The table gives the error overall
and after each detected drift, CPU time, peak memory, the raw data each keeps to be able to
retrain, and how many new models it has to push to the device.

Options:
  --task T              regression or classification (binary)          (required)
                        classification needs both classes in the target column
  --target COL          the target column                              (required)
  --features a,b,...    feature columns (default: every numeric column but the target)
  --train-fraction F    share of rows for the first batch training     (default 0.2)
  --retrain-every N     rows between retrainings of the periodic model (default n/10)
  --lambda L            L2 strength of the batch models, on standardized features (default 1)
  --set NAME=VALUE      a module parameter for the online learner, e.g. --set LearningRate=0.2 (--param too)
                        (names as in docs/ABI.md, any case; repeatable; default: the module's defaults)
  --json                print one JSON object instead of the table
  --plot out.svg        write an SVG of the rolling error with the drifts marked
  -h, --help            this text

Exit codes: 0 done, 1 failure, 2 bad usage, 3 learner module missing (reinstall; in a source checkout \`npm run build\`),
4 the CSV cannot be read or used.
`;

export interface CompareDeps {
  /** Builds the online learner; default: the edgelearn module through host/learner. */
  createLearner?: (task: Task, ds: Dataset, params: Record<number, number>) => OnlineLearner | Promise<OnlineLearner>;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

function positive(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new UsageError(`${name} must be a positive ${integer ? "integer" : "number"}, got "${v}"`);
  }
  return x;
}

/** The command as the dispatcher (main.ts) calls it. */
export function compareCommand(argv: string[], io: Io): Promise<number> {
  return runCompare(argv, { out: io.out, err: io.err });
}

/** The command with its learner injectable (tests run it against a fake online learner). */
export async function runCompare(argv: string[], deps: CompareDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  let file: string;
  let task: Task;
  let opts: { target: string; features?: string[]; trainFraction: number; retrainEvery?: number; lambda: number; json: boolean; plot?: string; params: Record<number, number> };
  try {
    const options = {
      task: { type: "string" },
      target: { type: "string" },
      features: { type: "string" },
      "train-fraction": { type: "string" },
      "retrain-every": { type: "string" },
      lambda: { type: "string" },
      json: { type: "boolean" },
      plot: { type: "string" },
      set: { type: "string", multiple: true },
      param: { type: "string", multiple: true }, // replay's name for the same option
      help: { type: "boolean", short: "h" },
    } as const;
    const { values, positionals, tokens } = parseArgs({ args: argv, allowPositionals: true, options, tokens: true });
    onlyOnce(options, tokens);
    if (values.help) { out(COMPARE_HELP); return EXIT.OK; }
    if (positionals.length !== 1) throw new UsageError("give exactly one CSV file");
    file = positionals[0];
    if (values.task !== "regression" && values.task !== "classification") {
      throw new UsageError("--task must be regression or classification");
    }
    task = values.task;
    if (!values.target) throw new UsageError("--target COL is required");
    const trainFraction = positive("--train-fraction", values["train-fraction"], false) ?? 0.2;
    if (trainFraction >= 1) throw new UsageError("--train-fraction must be below 1");
    opts = {
      target: values.target,
      features: nameList("--features", values.features),
      trainFraction,
      retrainEvery: positive("--retrain-every", values["retrain-every"], true),
      lambda: positive("--lambda", values.lambda, false) ?? 1,
      json: values.json ?? false,
      plot: values.plot,
      params: parseParams([...(values.set ?? []), ...(values.param ?? [])]),
    };
  } catch (e) {
    err(`edgelearn compare: ${(e as Error).message}\n(see edgelearn compare --help)\n`);
    return EXIT.USAGE;
  }

  let ds: Dataset;
  try {
    ds = readCsv(file, { task, target: opts.target, features: opts.features });
    if (ds.n < 10) throw new Error(`${ds.n} rows are too few to compare`);
  } catch (e) {
    err(`edgelearn compare: ${file}: ${(e as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  if (ds.skipped.length > 0 && !opts.json) err(`note: non-numeric columns left out: ${ds.skipped.join(", ")}\n`);
  if (!deps.createLearner && !checkModule({ out, err })) return EXIT.NO_MODULE;
  let learner: OnlineLearner | undefined;
  try {
    learner = await (deps.createLearner ?? createModuleLearner)(task, ds, opts.params);
    const { report, runs } = compare(ds, learner, { task, trainFraction: opts.trainFraction, retrainEvery: opts.retrainEvery ?? Math.max(1, Math.round(ds.n / 10)), lambda: opts.lambda }, file);
    if (opts.plot) {
      writeFileSync(opts.plot, renderSvg({
        task, y: ds.y, runs, trainRows: report.trainRows, drifts: report.drift.rows,
        title: `${file}: ${task}, target ${opts.target}`,
      }));
    }
    out(opts.json ? JSON.stringify(report) + "\n" : formatReport(report) + "\n");
    return EXIT.OK;
  } catch (e) {
    if (learner === undefined && e instanceof LearnerError) return refusedModel(e, ds.d, err);
    err(`edgelearn compare: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  } finally {
    learner?.close?.();
  }
}

/**
 * The exit code when the module refuses the online learner it is asked for: the CSV has more
 * feature columns than a model takes (4, the file cannot be used as it is), or a --set value is out
 * of range (2, bad usage); neither is a failure of a command that ran.
 */
function refusedModel(e: LearnerError, features: number, err: (s: string) => void): number {
  if (e.code === ErrorCode.Features) {
    err(`edgelearn compare: ${features} feature columns; the module takes at most ${MAX_FEATURES} (choose them with --features)\n`);
    return EXIT.BAD_INPUT;
  }
  err(`edgelearn compare: the module refused the online learner's configuration (--set): ${e.message}\n`);
  return EXIT.USAGE;
}
