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
    const r = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true, tokens: true });
    if (r.positionals.length > positionals) throw new UsageError(`unexpected argument ${JSON.stringify(r.positionals[positionals])}`);
    onlyOnce(options, r.tokens);
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, "")} (see edgelearn ${cmd} --help)`);
  }
}

/**
 * Refuses an option with a value given twice (`--broker a --broker b`, `-c a --config b`):
 * parseArgs keeps the last one without a word, so a command line that got an option appended
 * (a script, a unit's ExecStart plus an override) ran with a value nobody read off it. Options
 * declared `multiple` are the repeatable ones (--set, --param); a flag twice means what it does once.
 * No value is shown: one may hold a password (--broker mqtt://user:secret@host).
 */
export function onlyOnce(options: NonNullable<ParseArgsConfig["options"]>, tokens: ReadonlyArray<{ kind: string; name?: string }>): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== "option" || t.name === undefined) continue;
    const o = options[t.name];
    if (o?.type !== "string" || o.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once; give it once`);
    seen.add(t.name);
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
