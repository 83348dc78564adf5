// Deterministic costs of one reading, for comparing two modules on a machine whose timings swing
// (a shared VM): the machine instructions V8 executes per learn_batch reading, from the CPU's
// counter (`perf stat`), and the WebAssembly operators per reading, from wasmtime's fuel. Timings
// on this machine swing ±30 % between identical runs; these counts repeat to within ~0.5 %.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { regressionRows } from "./lib/regression-rows.js";
import { OUTPUT_BYTES } from "../host/learner/abi.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The child that learns N rows and nothing else (build/bench/batch-loop.js). */
const BATCH_LOOP = join(HERE, "batch-loop.js");
/** bench/python/ in the repository (this file runs from build/bench/). */
const FUEL_PY = resolve(HERE, "..", "..", "bench", "python", "wasm_fuel.py");
const PYTHON = process.env.PYTHON ?? "python3";

export type Count = { value: number } | { unavailable: string };

/** One user-space counter over a whole `batch-loop` run of `readings` readings. */
function countRun(event: string, wasm: string, readings: number, features: number): number | string {
  const r = spawnSync("perf", ["stat", "-x,", "-e", event, "--", process.execPath, BATCH_LOOP, wasm, String(readings), String(features)], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.error) return `perf not runnable (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  if (r.status !== 0) return `perf stat failed: ${(r.stderr || "").trim().split("\n").pop()}`;
  // CSV: value,unit,event,...; "<not supported>" or "<not counted>" where the counter is missing
  const line = r.stderr.split("\n").find((l) => l.includes(event));
  const value = Number(line?.split(",")[0]);
  return Number.isFinite(value) && value > 0 ? value : `counter ${event} not available (${line?.split(",")[0] ?? "no output"})`;
}

/**
 * Machine instructions V8 executes per learn_batch reading of `wasm` (LINEAR, defaults, `features`
 * features, the host's copy of the rows included): the counter over `long` readings minus over
 * `short`, divided by the difference, so start-up, compilation and tier-up cancel out.
 */
export function hostInstructionsPerReading(wasm: string, short = 1_000_000, long = 5_000_000, features = 8): Count {
  const a = countRun("instructions:u", wasm, short, features);
  if (typeof a === "string") return { unavailable: a };
  const b = countRun("instructions:u", wasm, long, features);
  if (typeof b === "string") return { unavailable: b };
  return { value: (b - a) / (long - short) };
}

/** WebAssembly operators per learn_one call and per learn_batch reading of `wasm` (wasmtime fuel,
 * Python package `wasmtime`), after a warm-up, on the benchmark's rows. */
export function wasmOperators(wasm: string, rows = 6000, warmup = 1000): { learnOne: Count; batchReading: Count } {
  const dir = mkdtempSync(join(tmpdir(), "el-fuel-"));
  try {
    const file = join(dir, "rows.f32");
    writeFileSync(file, regressionRows(rows));
    const r = spawnSync(PYTHON, [FUEL_PY, wasm, file, String(warmup), String(OUTPUT_BYTES)], { encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) {
      const why = r.error ? String(r.error.message) : (r.stderr || "").trim().split("\n").pop() ?? "";
      const u = { unavailable: `wasmtime fuel count failed: ${why}` };
      return { learnOne: u, batchReading: u };
    }
    const out = JSON.parse(r.stdout) as { learn_one: number; learn_batch_reading: number };
    return { learnOne: { value: out.learn_one }, batchReading: { value: out.learn_batch_reading } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
