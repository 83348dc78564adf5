// `edgelearn replay`'s arguments: parsed and checked before anything is read.

import { TASKS, SUPERVISED, type Task } from "../../config/types.js";
import { UsageError, parse, nameList } from "../common.js";

export interface ReplayOptions {
  file: string;
  task: Task;
  target: string | undefined;
  /** Feature columns; undefined: every column numeric in the first row, but the target. */
  features: string[] | undefined;
  /** Where one row per input row goes (row, prediction, score, label, flags). */
  predictions: string | undefined;
  /** Module parameters by name (--param NAME=VALUE). */
  params: Record<string, number>;
  quiet: boolean;
}

/** The options, or "help" for --help; a UsageError says what is wrong. */
export function parseReplayArgs(argv: string[]): ReplayOptions | "help" {
  const { values, positionals } = parse(
    "replay",
    argv,
    {
      task: { type: "string" },
      target: { type: "string" },
      features: { type: "string" },
      predictions: { type: "string" },
      param: { type: "string", multiple: true },
      set: { type: "string", multiple: true }, // compare's name for the same option
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    1,
  );
  if (values.help) return "help";
  const file = positionals[0];
  if (!file) throw new UsageError("replay needs a FILE.csv (see edgelearn replay --help)");
  const task = values.task as Task | undefined;
  if (!task || !TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(", ")}`);
  if (SUPERVISED.has(task) && !values.target) throw new UsageError(`--target COL is required for task ${task}`);
  const params: Record<string, number> = {};
  for (const p of [...(values.param ?? []), ...(values.set ?? [])]) {
    const m = /^([^=]+)=(.+)$/.exec(p);
    if (!m || !Number.isFinite(Number(m[2]))) throw new UsageError(`--param expects NAME=NUMBER, got ${JSON.stringify(p)}`);
    params[m[1]] = Number(m[2]);
  }
  const features = nameList("--features", values.features);
  // A target among the features hands the model its own answer: the metrics would be meaningless.
  if (values.target && features?.includes(values.target)) throw new UsageError(`the target "${values.target}" cannot also be a feature`);
  return {
    file,
    task,
    target: values.target,
    features,
    predictions: values.predictions,
    params,
    quiet: values.quiet ?? false,
  };
}
