// `edgelearn replay FILE.csv`: a prequential run of one model over a CSV file, row by row, as the
// service would learn it from a sensor: predict, then learn. The file is streamed (memory does not
// grow with its length); progress goes to stderr; the last stdout line is one JSON object.
// The parts, in order: args.ts (parsing), rows.ts (reading), loop.ts (the model over the rows),
// report.ts (the result).

import { TASKS } from "../../config/types.js";
import { EXIT, checkModule, type Io } from "../common.js";
import { parseReplayArgs } from "./args.js";
import { CsvRows } from "./rows.js";
import { replayRows } from "./loop.js";
import { replayReport } from "./report.js";
import { PredictionsFile } from "./predictions.js";

export const REPLAY_HELP = `Usage: edgelearn replay FILE.csv --task T [--target COL] [--features a,b,...]
                       [--predictions OUT.csv] [--param NAME=VALUE ...]

Learns one model over the rows of FILE.csv (a header row, then one reading per line), in
order, predicting each row before learning it (prequential), exactly as the service learns
from a device. Cells that are not numbers are NaN (the guard refuses those rows).

Options:
  --task T              ${TASKS.join(", ")} (required)
  --target COL          the column to predict (required for regression, classification, forecast)
  --features a,b,...    feature columns (default: every column numeric in the first row, but the target)
  --predictions FILE    write one row per input row: row, prediction, score, label, flags
  --param NAME=VALUE    a module parameter, e.g. --param learning_rate=0.1 (repeatable; --set too)
  --quiet               no progress on stderr
  -h, --help            this text

Output: progress on stderr (for long files); the last line on stdout is one JSON object:
  {"rows", "learned", "rejected", "rejected_by_reason", "metrics", "drifts" (row indices,
   0 = first data row), "seconds"}; "rejected" counts every row not learned for a reason (a
  refused reading, or a target missing or unusable: no_target, bad_target)

Exit codes: 0 done, 1 the predictions file cannot be written, 2 bad usage, 3 learner module
missing, 4 the file cannot be read or has no such column.
`;

export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const o = parseReplayArgs(argv);
  if (o === "help") {
    io.out(REPLAY_HELP);
    return EXIT.OK;
  }
  if (!checkModule(io)) return EXIT.NO_MODULE;
  const rows = CsvRows.open(o.file);
  if (typeof rows === "string") return badInput(io, `cannot read ${o.file} (${rows})`);
  const out = o.predictions === undefined ? undefined : PredictionsFile.open(o.predictions);
  if (typeof out === "string") return cannotWrite(io, o.predictions!, out);
  const t0 = process.hrtime.bigint();
  let tally;
  try {
    tally = await replayRows(o, rows, io, out);
  } finally {
    out?.close();
  }
  if (out?.error) return cannotWrite(io, out.path, out.error);
  if (typeof tally === "string") return badInput(io, tally);
  const e = rows.error;
  if (e) return badInput(io, `cannot read ${o.file} (${(e as NodeJS.ErrnoException).code ?? e.message})`);
  if (!rows.header) return badInput(io, `${o.file} is empty (expected a header row)`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  io.out(replayReport(o.task, tally, seconds) + "\n");
  return EXIT.OK;
}

function cannotWrite(io: Io, file: string, why: string): number {
  io.err(`edgelearn: cannot write ${file} (${why})\n`);
  return EXIT.FAILURE;
}

function badInput(io: Io, why: string): number {
  io.err(`edgelearn: ${why}\n`);
  return EXIT.BAD_INPUT;
}
