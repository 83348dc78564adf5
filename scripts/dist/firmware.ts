// The firmware artifacts of a release, and the native build the header test uses: learner.wasm
// translated to C by wasm2c, edgelearn.h generated beside it, a Cortex-M static library built
// with the flags of the conformance suite's images (tools/m4f/Makefile), and the example
// program (tools/firmware/el_example.c) linked natively, or for the Cortex-M part under QEMU by the
// Makefile of the example kit a release ships (example-kit.ts).

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cHeader, type HeaderInfo } from "./c-header.js";
import { rewriteWasm2c } from "./wasm2c-rewrite.js";
import { COMMON, CORTEX_FLAGS } from "./flags.js";

export { COMMON, CORTEX_FLAGS };

export const ROOT = resolve(new URL("../../..", import.meta.url).pathname);
/** wasm2c's runtime header (Debian's wabt package puts it here). */
export const WASM_RT_DIR = "/usr/src/wasm2c";
const STATIC_RT = join(ROOT, "tools/wasm2c/wasm-rt-static.c");
const EXAMPLE = join(ROOT, "tools/firmware/el_example.c");

/** A Cortex-M target: its compiler flags and the QEMU machine its images run on. */
export interface CortexTarget {
  /** In file names: libedgelearn-<id>.a, el-example-<id>.elf. */
  id: "m4f" | "m3";
  /** The core and its float ABI, as a reader names them. */
  core: string;
  arch: string[];
  /** QEMU's machine for its images. */
  machine: string;
}
/** "Cortex-M4F, hard float (qemu mps2-an386)": the core and where its images run. */
export const targetName = (t: CortexTarget): string => `${t.core} (qemu ${t.machine})`;
/** "Cortex-M4F, hard float (-mcpu=… -mfloat-abi=hard)": the core and its compiler flags. */
export const targetLabel = (t: CortexTarget): string => `${t.core} (${t.arch.join(" ")})`;
/** The default target of tools/m4f/Makefile: Cortex-M4 with its single-precision FPU. */
export const CORTEX_M4F: CortexTarget = {
  id: "m4f",
  core: "Cortex-M4F, hard float",
  arch: ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"],
  machine: "mps2-an386",
};
/** A core with no FPU (STM32F103 class): every f32 operation is a libgcc call, IEEE-exact. */
export const CORTEX_M3: CortexTarget = {
  id: "m3",
  core: "Cortex-M3, soft float",
  arch: ["-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"],
  machine: "mps2-an385",
};
export const CORTEX_TARGETS: CortexTarget[] = [CORTEX_M4F, CORTEX_M3];
const cortexFlags = (t: CortexTarget): string[] => [...t.arch, ...CORTEX_FLAGS];

/**
 * The environment for running the system's npm/npx: PATH without node_modules/.bin folders, which
 * `npm run` puts first and where a dev dependency brings an old npm 6 (@as-pect/cli → npm).
 */
export function systemNpmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = (env.PATH ?? "").split(":").filter((p) => !/[\\/]node_modules[\\/]\.bin$/.test(p));
  return { ...env, PATH: path.join(":") };
}

export function sh(cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${(r.stderr || r.stdout || String(r.error)).slice(-4000)}`);
  return r.stdout;
}
export function have(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

/** What is missing for the native build, or undefined. */
export function nativeToolsMissing(): string | undefined {
  const missing = ["wasm2c", "gcc"].filter((t) => !have(t));
  if (!existsSync(join(WASM_RT_DIR, "wasm-rt.h"))) missing.push(`${WASM_RT_DIR}/wasm-rt.h`);
  return missing.length ? `${missing.join(", ")} not found; install: apt-get install -y wabt gcc` : undefined;
}
/** What is missing for the Cortex-M builds, or undefined. */
export function cortexToolsMissing(): string | undefined {
  const missing = ["wasm2c", "arm-none-eabi-gcc", "arm-none-eabi-ar", "arm-none-eabi-size", "make"].filter((t) => !have(t));
  return missing.length ? `${missing.join(", ")} not found; install: apt-get install -y wabt gcc-arm-none-eabi libnewlib-arm-none-eabi` : undefined;
}

/** learner.c, learner.h (wasm2c, rewritten for the static runtime: wasm2c-rewrite.ts), edgelearn.h (generated), the runtime and wabt's wasm-rt.h in `dir`. */
export function translate(wasm: string, dir: string, info: HeaderInfo): void {
  mkdirSync(dir, { recursive: true });
  sh("wasm2c", [wasm, "-n", "learner", "-o", join(dir, "learner.c")]);
  writeFileSync(join(dir, "learner.c"), rewriteWasm2c(readFileSync(join(dir, "learner.c"), "utf8"), new Uint8Array(readFileSync(wasm))));
  writeFileSync(join(dir, "edgelearn.h"), cHeader(info));
  copyFileSync(STATIC_RT, join(dir, "wasm-rt-static.c"));
  // The runtime header the translation and the libraries are compiled against: shipped, so the
  // instance layout a user's code sees is the library's whatever wabt they have installed.
  copyFileSync(join(WASM_RT_DIR, "wasm-rt.h"), join(dir, "wasm-rt.h"));
}

/** The example program linked natively against the translated module; returns the executable. */
export function buildNativeExample(dir: string): string {
  const inc = [`-I${WASM_RT_DIR}`, `-I${dir}`];
  const exe = join(dir, "el-example");
  // The example (and so the header) must compile without a single warning.
  sh("gcc", [...COMMON, ...inc, "-Wall", "-Wextra", "-Werror", "-DEL_NATIVE", "-c", EXAMPLE, "-o", join(dir, "el_example.o")]);
  sh("gcc", [...COMMON, ...inc, "-c", join(dir, "learner.c"), "-o", join(dir, "learner.o")]);
  sh("gcc", [...COMMON, ...inc, "-c", join(dir, "wasm-rt-static.c"), "-o", join(dir, "wasm-rt-static.o")]);
  sh("gcc", ["-o", exe, join(dir, "el_example.o"), join(dir, "learner.o"), join(dir, "wasm-rt-static.o"), "-lm"]);
  return exe;
}

export interface CortexBuild {
  target: CortexTarget;
  library: string;
  example: string;
  /** `arm-none-eabi-size` of each object of the library (Berkeley format). */
  librarySize: { file: string; text: number; data: number; bss: number }[];
  /** The linked example image: flash (text + data) and RAM (data + bss, the stack included). */
  exampleSize: { text: number; data: number; bss: number };
}

function berkeley(out: string): { file: string; text: number; data: number; bss: number }[] {
  return out
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 6 && /^\d+$/.test(f[0]))
    .map((f) => ({ file: f.slice(5).join(" ").replace(/ \(ex .*\)$/, ""), text: +f[0], data: +f[1], bss: +f[2] }));
}

/** How to build a Cortex-M library and its example image. */
export interface CortexOptions {
  /** The example kit (example-kit.ts) whose Makefile links the example, as a user would. */
  kit: string;
  /** The core (default CORTEX_M4F). */
  target?: CortexTarget;
  /** Bytes of linear memory the runtime backs (EL_MEMORY_BYTES); one page when not given. */
  memoryBytes?: number;
  /** Linker script of the kit (default mps2-an386.ld). */
  ldScript?: string;
}

/**
 * libedgelearn-<id>.a (the translated module and the static-memory runtime shim) compiled from the
 * files in `dir` alone (wasm-rt.h included), and the example linked against it into an image of
 * the target's QEMU machine by the kit's Makefile.
 */
export function buildCortexM(dir: string, out: string, opts: CortexOptions): CortexBuild {
  const target = opts.target ?? CORTEX_M4F;
  const flags = cortexFlags(target);
  const o = join(out, "obj");
  mkdirSync(o, { recursive: true });
  const defs = opts.memoryBytes ? [`-DEL_MEMORY_BYTES=${opts.memoryBytes}u`] : [];
  const cc = (src: string, obj: string) => sh("arm-none-eabi-gcc", [...flags, ...defs, `-I${dir}`, "-c", src, "-o", join(o, obj)]);
  cc(join(dir, "learner.c"), "learner.o");
  cc(join(dir, "wasm-rt-static.c"), "wasm-rt-static.o");
  const library = join(out, `libedgelearn-${target.id}.a`);
  rmSync(library, { force: true });
  sh("arm-none-eabi-ar", ["rcs", library, join(o, "learner.o"), join(o, "wasm-rt-static.o")]);
  // The example must build without a single warning.
  sh("make", ["-s", "-B", "-C", opts.kit, `FW=${resolve(dir)}`, `LIB=${resolve(library)}`, `CORE=${target.id}`, `LDSCRIPT=${opts.ldScript ?? "mps2-an386.ld"}`, `OUT=${resolve(out)}`, "WERROR=-Werror"]);
  const example = join(out, `el-example-${target.id}.elf`);
  const librarySize = berkeley(sh("arm-none-eabi-size", [library]));
  const [img] = berkeley(sh("arm-none-eabi-size", [example]));
  return { target, library, example, librarySize, exampleSize: { text: img.text, data: img.data, bss: img.bss } };
}

/** QEMU's arguments for an image of `machine`. Semihosting output goes to a stdio chardev: without
 * one QEMU writes it to the terminal, not to stdout. */
export function qemuArgs(machine: string, elf: string): string[] {
  return ["-M", machine, "-nographic", "-monitor", "none", "-serial", "none", "-chardev", "stdio,id=sh0", "-semihosting-config", "enable=on,target=native,chardev=sh0", "-kernel", elf];
}

/** Runs an example image of `b` under QEMU: its JSON line; throws unless it exits 0 with no failed check. */
export function runExample(b: CortexBuild, what: string): Record<string, unknown> {
  const r = spawnSync("qemu-system-arm", qemuArgs(b.target.machine, b.example), { encoding: "utf8", timeout: 300_000 });
  const line = readJsonLine(r.stdout);
  if (r.status !== 0 || line.failed !== 0) throw new Error(`${what} failed under QEMU (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return line;
}

export function readJsonLine(out: string): Record<string, unknown> {
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`no JSON line in:\n${out}`);
  return JSON.parse(line) as Record<string, unknown>;
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
