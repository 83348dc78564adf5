// `npm run bench`: runs every bench/<name>.bench.ts module (compiled to build/bench/), writes
// bench/results/<name>.json and bench/results/summary.md, and prints the summary table.
//
// Each module runs in its own child process (this file with --child), so one that crashes, hangs
// or bloats memory cannot take the others down or skew their RSS figures. A module that fails or
// times out gets a FAILED row in the table; the exit code is non-zero only when the harness
// itself could not do its job (bad arguments, results not writable).
//
//   node build/bench/run.js [--quick] [--only name[,name...]] [--out DIR] [--dir DIR] [--timeout S]

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem, arch } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { BenchModule, BenchResult, BenchRow } from "./types.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** Repository root: build/bench/run.js → ../.. */
const ROOT = resolve(HERE, "..", "..");

export interface ModuleOutcome {
  name: string;
  description: string;
  status: "ok" | "failed" | "timeout";
  seconds: number;
  rows: BenchRow[];
  details?: unknown;
  error?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: (c[0]?.model ?? "unknown").trim(),
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

/** Bench modules in dir: <name>.bench.js, sorted by name. */
export function discover(dir: string): { name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".bench.js"))
    .sort()
    .map((f) => ({ name: basename(f, ".bench.js"), file: join(dir, f) }));
}

/** Child mode: import one module, run it, write its result as JSON to resultFile. */
async function child(file: string, quick: boolean, resultFile: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: BenchModule };
  const m = mod.default;
  if (!m || typeof m.run !== "function" || typeof m.name !== "string") {
    throw new Error(`${basename(file)} does not default-export a BenchModule (name, description, run)`);
  }
  const t0 = Date.now();
  const log = (msg: string) => process.stderr.write(`[${m.name} +${((Date.now() - t0) / 1000).toFixed(1)} s] ${msg}\n`);
  const r: BenchResult = await m.run({ quick, log });
  if (!r || !Array.isArray(r.rows)) throw new Error("run() did not return { rows: [...] }");
  writeFileSync(resultFile, JSON.stringify({ description: m.description, ...r }));
}

/** Process groups of the children still running, ended if the harness is interrupted. */
const running = new Set<number>();

/** Runs one module in a child process with a timeout. */
function runChild(name: string, file: string, quick: boolean, outDir: string, timeoutS: number): Promise<ModuleOutcome> {
  const resultFile = join(outDir, `.${name}.partial.json`);
  const t0 = process.hrtime.bigint();
  rmSync(resultFile, { force: true });
  return new Promise((done) => {
    const args = [fileURLToPath(import.meta.url), "--child", file, "--result", resultFile, ...(quick ? ["--quick"] : [])];
    // Its own process group, so a timeout also ends whatever it started (brokers, services).
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(p.pid!);
    let tail = "";
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    // A module must not print to stdout (it would corrupt the table); treat it as log output.
    p.stdout.on("data", keep);
    p.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-p.pid!, "SIGKILL"); } catch { p.kill("SIGKILL"); }
    }, timeoutS * 1000);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(p.pid!);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let result: (BenchResult & { description?: string }) | undefined;
      try { result = JSON.parse(readFileSync(resultFile, "utf8")); } catch { /* no result */ }
      rmSync(resultFile, { force: true });
      if (timedOut) {
        done({ name, description: result?.description ?? "", status: "timeout", seconds, rows: [], error: `timed out after ${timeoutS} s` });
      } else if (code === 0 && result) {
        done({ name, description: result.description ?? "", status: "ok", seconds, rows: result.rows, details: result.details });
      } else {
        const lastError = tail.split("\n").filter((l) => /error|Error|failed|FAIL/.test(l)).pop() ?? tail.trim().split("\n").pop() ?? "";
        done({ name, description: "", status: "failed", seconds, rows: [], error: `exit ${code ?? signal}: ${lastError.trim().slice(0, 300)}` });
      }
    });
  });
}

/** 12345678 → "12.3 M", 0.01234 → "0.0123", strings unchanged. */
export function formatValue(v: number | string): string {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)} G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)} M`;
  if (a >= 1e4) return Math.round(v).toLocaleString("en-US");
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(a >= 1 ? 4 : 3)));
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The summary: one line on when and where, then a table per module (failures say why). */
export function summaryMarkdown(outcomes: ModuleOutcome[], m: Machine, date: Date, quick: boolean, seconds: number): string {
  const lines = [
    `Measured ${date.toISOString().slice(0, 16).replace("T", " ")} UTC on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}, ${m.os}; ` +
      `\`npm run bench${quick ? " -- --quick" : ""}\`, ${seconds.toFixed(0)} s in all.`,
  ];
  for (const o of outcomes) {
    lines.push("");
    if (o.status !== "ok") {
      lines.push(`#### ${o.name}: ${o.status.toUpperCase()}`, "", cell(o.error ?? ""));
      continue;
    }
    lines.push(`#### ${o.name}${o.description ? `: ${o.description}` : ""} (${o.seconds.toFixed(0)} s)`, "");
    lines.push("| metric | value | note |", "|---|---|---|");
    if (o.rows.length === 0) lines.push("| (no rows) | – | |");
    for (const r of o.rows) {
      const value = `${formatValue(r.value)}${r.unit ? ` ${r.unit}` : ""}`;
      lines.push(`| ${cell(r.metric)} | ${cell(value)} | ${cell(r.note ?? "")} |`);
    }
  }
  return lines.join("\n") + "\n";
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean" },
        only: { type: "string", multiple: true },
        out: { type: "string" },
        dir: { type: "string" },
        timeout: { type: "string" },
        child: { type: "string" },
        result: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  if (values.child) {
    await child(values.child, values.quick ?? false, values.result!);
    // A module that left a socket or timer open must not hold the harness until its timeout.
    process.exit(0);
  }
  if (values.help) {
    process.stdout.write("Usage: npm run bench -- [--quick] [--only name[,name]] [--out DIR] [--timeout SECONDS]\n");
    return 0;
  }
  const quick = values.quick ?? false;
  const outDir = resolve(values.out ?? join(ROOT, "bench", "results"));
  const modules = discover(resolve(values.dir ?? HERE));
  const only = (values.only ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((n) => !modules.some((m) => m.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no module named ${unknown.join(", ")}; have: ${modules.map((m) => m.name).join(", ") || "none"}\n`);
    return 2;
  }
  const selected = only.length > 0 ? modules.filter((m) => only.includes(m.name)) : modules;
  // --quick must finish in a minute all told; a default run in ten minutes on 2 cores.
  const timeoutS = Number(values.timeout ?? (quick ? 45 : 300));
  mkdirSync(outDir, { recursive: true });

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const pid of running) { try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ } }
      process.exit(130);
    });
  }
  const m = machine();
  const date = new Date();
  const t0 = Date.now();
  const outcomes: ModuleOutcome[] = [];
  for (const { name, file } of selected) {
    process.stderr.write(`bench: ${name}${quick ? " (quick)" : ""}\n`);
    const o = await runChild(name, file, quick, outDir, timeoutS);
    process.stderr.write(`bench: ${name} ${o.status} in ${o.seconds.toFixed(1)} s${o.error ? `: ${o.error}` : ""}\n`);
    outcomes.push(o);
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ ...o, date: date.toISOString(), quick, machine: m }, null, 2) + "\n");
  }
  const seconds = (Date.now() - t0) / 1000;
  const md = summaryMarkdown(outcomes, m, date, quick, seconds);
  writeFileSync(join(outDir, "summary.md"), md);
  process.stdout.write(md);
  return 0;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => {
      process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
      process.exit(1); // in a child, also when the module left handles open

    },
  );
}
