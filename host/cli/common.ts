// What every subcommand shares: exit codes, usage errors, argument parsing, output streams.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { existsSync } from "node:fs";
import { DEFAULT_WASM } from "../learner/index.js";

/** Exit codes scripts can rely on (README, `edgelearn --help`). */
export const EXIT = {
  OK: 0,
  /** A runtime failure: the service or the command failed after it started. */
  FAILURE: 1,
  /** Bad command line or configuration (nothing was started or connected). */
  USAGE: 2,
  /** build/learner.wasm missing or not loadable (run `npm run build`). */
  NO_MODULE: 3,
  /** An input file could not be read or parsed (replay's CSV, inspect's blob). */
  BAD_INPUT: 4,
  /** inspect: the blob is damaged or refused by the module (CRC, version, length...). */
  INVALID_BLOB: 5,
} as const;

export class UsageError extends Error {}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** node:util parseArgs with usage errors that name the command. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  cmd: string,
  argv: string[],
  options: T,
  positionals = 0,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true });
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument ${JSON.stringify(r.positionals[positionals])}`);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, "")} (see edgelearn ${cmd} --help)`);
  }
}

/**
 * A comma-separated list of names (`--features a,b`); undefined when the option is not given.
 * Spaces around names and empty places (`a,b,`) are dropped. A list with no name left ("", ",")
 * is bad usage: it used to mean "infer them", as if the option were absent, so a script whose
 * variable came out empty silently got a model of other fields. A name given twice is bad usage
 * too (the configuration refuses duplicate features for the same reason: one field, one input).
 */
export function nameList(option: string, v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const names = v.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`${option} needs at least one name, got ${JSON.stringify(v)} (leave the option out to infer them)`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`${option} names ${JSON.stringify(twice)} twice`);
  return names;
}

/** Exit 3 with a clear message when the module is not built. */
export function checkModule(io: Io): boolean {
  if (existsSync(DEFAULT_WASM)) return true;
  io.err(`edgelearn: the learner module ${DEFAULT_WASM} is missing: reinstall the package (in a source checkout, run \`npm run build\`)\n`);
  return false;
}
