// Microcontroller images of the small-RAM build (build/learner-small.wasm) for a part with 32 KiB
// of RAM and 64 KiB of flash (tools/m4f/small-32k.ld): the module translated by wasm2c, the
// static-memory runtime backing only the bytes the module uses (EL_MEMORY_BYTES), and either the
// conformance replay or the measuring program of tools/m4f. Two targets: Cortex-M4F with its FPU
// (QEMU mps2-an386) and Cortex-M3 with soft float (QEMU mps2-an385).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Stream } from "./format.js";
import { cArray, opsBinary } from "./compile-ops.js";
import { wasmInfo } from "./wasm-info.js";
import { TOOLS_DIR } from "./paths.js";
import { must, parseStreamLines, sh, translateLearner, which, workDir, writeIfChanged, type Outcome } from "./runners.js";
import { SMALL_WASM } from "../../scripts/dist/small-ram.js";
import { qemuArgs, type CortexTarget as Target } from "../../scripts/dist/firmware.js";

export const SMALL_TOOLS = "apt-get install -y wabt gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm";
export function smallToolsMissing(): string | undefined {
  const missing = ["wasm2c", "arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm", "make"].filter((t) => !which(t));
  return missing.length ? `${missing.join(", ")} not found; install: ${SMALL_TOOLS}` : undefined;
}

/** build/conformance/small: learner.c/.h of the small module, its dispatch, the op stream as C. */
export function prepareSmall(streams: Stream[]): { dir: string; opsC: string } {
  const dir = workDir("small");
  translateLearner(SMALL_WASM, dir);
  const opsC = join(dir, "el_ops_small.c");
  writeIfChanged(opsC, cArray("el_ops", opsBinary(streams, wasmInfo(new Uint8Array(readFileSync(SMALL_WASM))))));
  return { dir, opsC };
}

export interface Images {
  replay: string;
  measure: string;
  /** The measuring image with the guard as a range test alone (STUCK_K = SPIKE_T = 0). */
  measureRange: string;
}

/** The images for one target; objects are rebuilt when the flags (the backed size) change. */
export function buildImages(t: Target, memoryBytes: number, prepared: { dir: string; opsC: string }): Images {
  const out = join(prepared.dir, t.id);
  const extra = `-DEL_MEMORY_BYTES=${memoryBytes}u`;
  const stamp = join(out, "flags");
  const flags = `${t.arch.join(" ")} ${extra}`;
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== flags) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(stamp, flags);
  }
  const replay = "el-small-replay.elf";
  must(
    sh("make", ["-s", "-C", join(TOOLS_DIR, "m4f"), `GEN=${prepared.dir}`, `OUT=${out}`, `OPS=${prepared.opsC}`, `REPLAY=${replay}`,
      `ARCH=${t.arch.join(" ")}`, "LDSCRIPT=small-32k.ld", `EXTRA_CFLAGS=${extra}`]),
    `make (small-RAM images, ${t.id})`,
  );
  return { replay: join(out, replay), measure: join(out, "el-m4f-measure.elf"), measureRange: join(out, "el-m4f-measure-range.elf") };
}

export interface Footprint {
  /** Bytes in the part's flash: vector table, code, constants, .data's initial values. */
  flash: number;
  /** Bytes of RAM: .data, .bss (the backed linear memory among them) and the stack. */
  ram: number;
  stack: number;
}

const FLASH_SECTIONS = new Set([".isr_vector", ".text", ".ARM.exidx", ".data"]);
const RAM_SECTIONS = new Set([".data", ".bss", ".stack"]);

/** Flash and RAM of an image, from its loaded sections (the test vectors in .testrom not counted). */
export function footprint(elf: string): Footprint {
  const f: Footprint = { flash: 0, ram: 0, stack: 0 };
  for (const line of must(sh("arm-none-eabi-size", ["-A", elf]), "arm-none-eabi-size").stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (!m) continue;
    const size = Number(m[2]);
    if (FLASH_SECTIONS.has(m[1])) f.flash += size;
    if (RAM_SECTIONS.has(m[1])) f.ram += size;
    if (m[1] === ".stack") f.stack = size;
  }
  return f;
}

export function qemu(t: Target, elf: string, icount = false): ReturnType<typeof sh> {
  return sh("qemu-system-arm", [...(icount ? ["-icount", "shift=0"] : []), ...qemuArgs(t.machine, elf)], { timeoutMs: 300_000 });
}

export function replayOn(t: Target, elf: string): Outcome {
  const r = qemu(t, elf);
  const o = parseStreamLines(r.stdout);
  if (r.status !== 0 && o.failures.length === 0) o.failures.push(`qemu exited ${r.status}: ${(r.stdout + r.stderr).slice(-2000)}`);
  return o;
}

export interface Measured {
  learnOneInstructions: number;
  learnBatchInstructionsPerReading: number;
  stackUsed: number;
  readings: number;
}

/** Runs the measuring image with -icount (1 ns per instruction) and reads its JSON lines. */
export function measureOn(t: Target, elf: string): Measured {
  const r = qemu(t, elf, true);
  const v: Record<string, number> = {};
  for (const line of r.stdout.split("\n")) if (line.startsWith("{")) Object.assign(v, JSON.parse(line));
  if (r.status !== 0 || v.learn_one_instructions_x100 === undefined) throw new Error(`measure image failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return {
    learnOneInstructions: v.learn_one_instructions_x100 / 100,
    learnBatchInstructionsPerReading: v.learn_batch_instructions_per_reading_x100 / 100,
    stackUsed: v.stack_used_bytes,
    readings: v.readings,
  };
}
