// The learner on every runtime of the conformance suite: readings/s of learn_batch on the
// conformance vectors' regression stream (8 features, LINEAR, default configuration), and the
// Cortex-M4F image's flash/RAM and instructions per learn call under qemu -icount.
// A runtime whose tool is missing gets a row saying so (and how to install it).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchModule, BenchRow } from "./types.js";
import { NodeMachine } from "../test/conformance/node-machine.js";
import { regressionRows } from "../test/conformance/generate-vectors.js";
import { CONFORMANCE_DIR, WASM_PATH } from "../test/conformance/paths.js";
import { type Runner, PYTHON, RUNNERS, m4fImages, must, nativeReplay, sh, wamrRunner, wasm3M4fImages, wasmtimeCli, workDir } from "../test/conformance/runners.js";
import { CORTEX_M4F, qemuArgs } from "../scripts/dist/firmware.js";
import { measureOn } from "../test/conformance/small-ram-images.js";

const KIND = 1;
const NF = 8;
const OUT_BYTES = 24;

interface Spec {
  kind: number;
  n_features: number;
  batch: number;
  rows: string;
  min_seconds: number;
}

function parseRate(out: string): number {
  const line = out.split("\n").find((l) => l.includes("readings_per_s"));
  if (!line) throw new Error(`no readings_per_s in output: ${out.slice(-500)}`);
  return (JSON.parse(line) as { readings_per_s: number }).readings_per_s;
}

function nodeRate(rows: Uint8Array, n: number, minSeconds: number): number {
  const m = new NodeMachine(new Uint8Array(readFileSync(WASM_PATH)));
  const ex = m.instance.exports as Record<string, (...a: number[]) => number>;
  if (ex.create(KIND, NF) !== 0) throw new Error("create failed");
  m.write(ex.io_ptr(), rows);
  let reps = 0;
  const t0 = process.hrtime.bigint();
  let dt = 0;
  do {
    for (let i = 0; i < 10; i++) if (ex.learn_batch(n) !== n) throw new Error("learn_batch failed");
    reps += 10;
    dt = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (dt < minSeconds);
  return (reps * n) / dt;
}

/** A module that imports the learner and calls learn_batch(n) `reps` times (CLI and wabt). */
function benchDriver(rows: Uint8Array, n: number): string {
  const data = Array.from(rows, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
  return `(module
  (import "learner" "memory" (memory 1 1))
  (import "learner" "create" (func $create (param i32 i32) (result i32)))
  (import "learner" "io_ptr" (func $io (result i32)))
  (import "learner" "learn_batch" (func $lb (param i32) (result i32)))
  (data $rows "${data}")
  (func (export "bench") (param $reps i32) (result i32)
    (local $r i32)
    (drop (call $create (i32.const ${KIND}) (i32.const ${NF})))
    (memory.init $rows (call $io) (i32.const 0) (i32.const ${rows.length}))
    (local.set $r (i32.const ${n}))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $reps)))
      (local.set $r (call $lb (i32.const ${n})))
      (local.set $reps (i32.sub (local.get $reps) (i32.const 1)))
      (br $l)))
    (local.get $r)))
`;
}

/**
 * readings/s for a runtime that can only be timed as a whole process: run with `reps` batches and
 * with none, and divide the extra readings by the extra time (start-up and compilation cancel).
 */
function processRate(run: (reps: number) => number, n: number, minSeconds: number): number {
  const base = Math.min(run(0), run(0));
  let reps = 20;
  for (;;) {
    const dt = run(reps) - base;
    if (dt >= minSeconds || reps > 1e7) return (reps * n) / dt;
    reps = Math.ceil(reps * Math.min(50, Math.max(2, (1.2 * minSeconds) / Math.max(dt, 1e-3))));
  }
}

function timed(cmd: string, args: string[], cwd?: string): number {
  const t0 = process.hrtime.bigint();
  must(sh(cmd, args, { cwd }), cmd);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const bench: BenchModule = {
  name: "runtimes",
  description: "readings/s per WebAssembly runtime (conformance regression stream, 8 features); Cortex-M4F flash/RAM and instructions per learn call",
  async run({ quick, log }) {
    const minSeconds = quick ? 0.2 : 1.5;
    const rowsOut: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    const m = new NodeMachine(new Uint8Array(readFileSync(WASM_PATH)));
    const ioCap = (m.instance.exports.io_cap as () => number)();
    const all = regressionRows();
    const n = Math.min(all.length, Math.floor(ioCap / ((NF + 1) * 4 + OUT_BYTES)));
    const bits: number[] = [];
    for (const r of all.slice(0, n)) bits.push(...r.x, r.y);
    const rows = new Uint8Array(new Uint32Array(bits).buffer);
    const dir = workDir("bench");
    const rowsFile = join(dir, "rows.bin");
    writeFileSync(rowsFile, rows);
    const spec: Spec = { kind: KIND, n_features: NF, batch: n, rows: Buffer.from(rows).toString("hex"), min_seconds: minSeconds };
    const specFile = join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    details.batch = n;

    const byName = new Map<string, Runner>(RUNNERS.map((r) => [r.id, r]));
    const rate = (label: string, key: string, f: () => number, note?: string) => {
      const runner = byName.get(key);
      // --quick is a smoke test: Node only; the others start Python, build or spawn processes.
      const missing = quick && key !== "node" ? "not in --quick" : runner?.missing();
      if (missing) {
        rowsOut.push({ metric: `readings/s, ${label}`, value: "SKIPPED", note: missing });
        return;
      }
      log(`${label}…`);
      try {
        const v = f();
        rowsOut.push({ metric: `readings/s, ${label}`, value: Math.round(v), unit: "readings/s", note });
      } catch (e) {
        rowsOut.push({ metric: `readings/s, ${label}`, value: "FAILED", note: (e as Error).message.slice(0, 300) });
      }
    };
    const batchNote = `learn_batch(${n}) on the regression stream, 8 features`;
    rate("Node.js (V8)", "node", () => nodeRate(rows, n, minSeconds), batchNote);
    rate("wasmtime (Python embedding, Cranelift)", "wasmtime-py", () => parseRate(must(sh(PYTHON, [join(CONFORMANCE_DIR, "run_python.py"), "--engine", "wasmtime", "--wasm", WASM_PATH, "--bench", specFile]), "wasmtime-py").stdout), batchNote);
    rate("wasmtime CLI 49 (process, start-up subtracted)", "wasmtime-cli", () => {
      const bin = wasmtimeCli()!;
      const wat = join(dir, "bench-driver.wat");
      writeFileSync(wat, benchDriver(rows, n));
      return processRate((reps) => timed(bin, ["run", "--preload", `learner=${WASM_PATH}`, "--invoke", "bench", wat, String(reps)]), n, minSeconds);
    }, batchNote);
    rate("wasm3 0.5 interpreter (pywasm3)", "wasm3", () => parseRate(must(sh(PYTHON, [join(CONFORMANCE_DIR, "run_python.py"), "--engine", "wasm3", "--wasm", WASM_PATH, "--bench", specFile]), "wasm3").stdout), batchNote);
    rate("WAMR fast interpreter (wamrx 0.3)", "wamr", () => parseRate(must(sh(wamrRunner(), ["bench", WASM_PATH, rowsFile, String(KIND), String(NF), String(n), String(minSeconds)]), "WAMR bench").stdout), batchNote);
    rate("wabt 1.0.32 reference interpreter (spectest-interp)", "wabt", () => {
      const wasm = readFileSync(WASM_PATH);
      const bin = Array.from(wasm, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
      const driver = benchDriver(rows, n).replace("(module", "(module $D");
      return processRate((reps) => {
        const wast = join(dir, `bench-${reps}.wast`);
        writeFileSync(wast, `(module $L binary "${bin}")\n(register "learner" $L)\n${driver}\n(assert_return (invoke $D "bench" (i32.const ${reps})) (i32.const ${n}))\n`);
        must(sh("wast2json", [wast, "-o", join(dir, `bench-${reps}.json`)]), "wast2json");
        return timed("spectest-interp", [join(dir, `bench-${reps}.json`)], dir);
      }, n, minSeconds);
    }, batchNote);
    rate("wasm2c → gcc -O2, native", "wasm2c", () => {
      return parseRate(must(sh(nativeReplay(), ["bench", rowsFile, String(KIND), String(NF), String(n), String(minSeconds)]), "el-native bench").stdout);
    }, batchNote);

    // Cortex-M4F: the measuring images (learner + runtime + minimal I/O) through wasm2c and
    // through the wasm3 interpreter: size, RAM, instructions per learn call under -icount.
    const m4f = (id: string, label: string, image: () => string, ramNote: (f: Record<string, number>) => string) => {
      const missing = quick ? "not in --quick" : byName.get(id)?.missing();
      if (missing) return void rowsOut.push({ metric: `Cortex-M4F, ${label}`, value: "SKIPPED", note: missing });
      log(`Cortex-M4F, ${label}…`);
      const elf = image();
      const size = sh("arm-none-eabi-size", ["-A", elf]).stdout;
      const sec = (name: string) => Number(new RegExp(`^\\${name}\\s+(\\d+)`, "m").exec(size)?.[1] ?? 0);
      const r = must(sh("qemu-system-arm", ["-icount", "shift=0", ...qemuArgs(CORTEX_M4F.machine, elf)]), "qemu (measure)");
      const f: Record<string, number> = {};
      for (const line of r.stdout.split("\n")) if (line.startsWith("{")) Object.assign(f, JSON.parse(line));
      const flash = sec(".isr_vector") + sec(".text") + sec(".ARM.exidx") + sec(".data");
      // RAM: static data, plus the reserved stack (wasm2c) or the heap and stack actually used (wasm3).
      const ram = sec(".data") + sec(".bss") + (f.heap_used_bytes ? f.heap_used_bytes + f.stack_used_bytes : sec(".stack"));
      const perCall = f.learn_one_instructions_x100 / 100;
      (details.m4f as Record<string, unknown>)[id] = { sections: size, facts: f };
      rowsOut.push(
        { metric: `Cortex-M4F flash (text + data), ${label}`, value: flash, unit: "bytes", note: `${id === "m4f" ? "goal ≤ 65536; " : ""}${(flash / 1024).toFixed(1)} KiB` },
        { metric: `Cortex-M4F RAM, ${label}`, value: ram, unit: "bytes", note: `${id === "m4f" ? "goal ≤ 81920; " : ""}${(ram / 1024).toFixed(1)} KiB: ${ramNote(f)}` },
        { metric: `instructions per learn_one call, 8 features, ${label} (qemu -icount)`, value: Math.round(perCall), unit: "instructions", note: "LINEAR, default configuration, after 200 warm-up readings" },
        { metric: `instructions per reading in learn_batch(100), 8 features, ${label}`, value: Math.round(f.learn_batch_instructions_per_reading_x100 / 100), unit: "instructions" },
        { metric: `readings/s upper bound on a 64 MHz Cortex-M4F (nRF52840), ${label}`, value: Math.round(64e6 / perCall), unit: "readings/s", note: "at 1 instruction/cycle; real CPI is higher (flash wait states, FPU, loads)" },
      );
    };
    details.m4f = {};
    m4f("m4f", "wasm2c + shim + minimal I/O", () => m4fImages().measure, (f) => `data + bss + stack; 65536 linear memory, 8192 stack (${f.stack_used_bytes} used)`);
    // The same image with the guard as a range test alone (STUCK_K = SPIKE_T = 0): no upkeep of
    // the statistics only those tests read.
    if (!quick && !byName.get("m4f")?.missing()) {
      const m = measureOn(CORTEX_M4F, m4fImages().measureRange);
      rowsOut.push({ metric: "instructions per learn_one call, 8 features, wasm2c, the guard a range test alone (qemu -icount)", value: Math.round(m.learnOneInstructions), unit: "instructions", note: "LINEAR, STUCK_K = SPIKE_T = 0 (the stuck and spike tests off), the rest at defaults" });
    }
    m4f("wasm3-m4f", "wasm3 interpreter + learner.wasm + minimal I/O", () => wasm3M4fImages().measure, (f) => `data + bss + heap used (${f.heap_used_bytes}, with the 65536 linear memory) + stack used (${f.stack_used_bytes})`);
    return { name: "runtimes", rows: rowsOut, details };
  },
};

export default bench;
