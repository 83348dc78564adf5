// The small-RAM build (build/learner-small.wasm, asconfig target "small"): the same learner with
// every address below 16 KiB. Checked here: its layout and capacities, the conformance vectors
// that fit it (moved onto its layout) on V8, the static-memory runtime's bound and the 32-bit
// bounds check (an access above the backed bytes traps, also when address + offset passes 4 GiB;
// natively in three compilations and on the Cortex-M4F under QEMU),
// and images for a part with 32 KiB of RAM and 64 KiB of flash that replay those vectors on a
// Cortex-M4F and on a Cortex-M3 with soft float, bit for bit.
// Tools missing → SKIPPED with the install command, unless EDGELEARN_REQUIRE_ALL=1 (CI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, Kind } from "../../host/learner/abi.js";
import { replay, sha256 } from "./format.js";
import { NodeMachine } from "./node-machine.js";
import { WASM_PATH, TOOLS_DIR } from "./paths.js";
import { loadManifest, loadStreams, must, sh, vectorsPresent, which, workDir } from "./runners.js";
import { SMALL_WASM, layoutOf, moveStream, readWasm, smallVectors } from "./small-ram-vectors.js";
import { smallStreams } from "./small-ram-streams.js";
import { buildImages, footprint, measureOn, prepareSmall, replayOn, smallToolsMissing } from "./small-ram-images.js";
import { smallFirmware, staticEnd } from "../../scripts/dist/small-ram.js";
import { CORTEX_M4F, CORTEX_TARGETS, qemuArgs, targetName } from "../../scripts/dist/firmware.js";
import { STATIC_RUNTIME_FLAGS, rewriteWasm2c } from "../../scripts/dist/wasm2c-rewrite.js";
import { exampleFacts, nodeReference } from "../firmware/example-reference.js";
import { tempDir } from "../helpers/tmp.js";

const requireAll = process.env.EDGELEARN_REQUIRE_ALL === "1";
const KIB16 = 16384;

function skipUnless(t: { skip(m: string): void }, missing: string | undefined): boolean {
  if (!missing) return false;
  if (requireAll) assert.fail(`${missing} (EDGELEARN_REQUIRE_ALL=1)`);
  t.skip(`SKIPPED: ${missing}`);
  return true;
}

const end = staticEnd();

test("the small-RAM build uses no address at or above 16 KiB and holds every kind with 8 features", () => {
  assert.ok(existsSync(SMALL_WASM), `${SMALL_WASM} is missing: run \`npm run build\``);
  assert.ok(end <= KIB16, `static memory ends at ${end}`);
  const small = readWasm(SMALL_WASM);
  const l = layoutOf(small);
  for (const [name, r] of Object.entries(l)) assert.ok(r.at + r.bytes <= end, `${name} ends at ${r.at + r.bytes}, past ${end}`);
  assert.ok(l.io.bytes >= l.state.bytes, "a blob as large as the state must fit the staging area to be loaded");
  const e = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(small)), {}).exports as Record<string, (...a: number[]) => number>;
  const kinds = Object.values(Kind).filter((k): k is number => typeof k === "number");
  for (const kind of kinds) {
    assert.equal(e.create(kind, 8), 0, `create(${Kind[kind]}, 8) at its defaults`);
    assert.ok(e.state_len() <= l.state.bytes);
  }
  // Too large for it: refused with the capacity error, the live state kept.
  let refused = 0;
  for (const kind of kinds) {
    assert.equal(e.create(Kind.Linear, 8), 0);
    if (e.create(kind, 32) !== ErrorCode.Capacity) continue;
    refused++;
    assert.deepEqual([e.kind(), e.n_features()], [Kind.Linear, 8], `create(${Kind[kind]}, 32) refused, state kept`);
  }
  assert.ok(refused > 0, "some kind with 32 features should exceed the small state");
});

/** Streams recorded on the small build itself: the 8-feature path, LINEAR and LOGISTIC. */
const extra = existsSync(SMALL_WASM) ? smallStreams(readWasm(SMALL_WASM)) : [];

const vectors = (() => {
  if (!vectorsPresent() || !existsSync(SMALL_WASM)) return undefined;
  if (loadManifest().wasm_sha256 !== sha256(readWasm(WASM_PATH))) return undefined; // stale: the conformance test says so
  return smallVectors(loadStreams(), readWasm(WASM_PATH), readWasm(SMALL_WASM));
})();

test("conformance vectors that fit the small-RAM build replay bit-identically on it (V8)", (t) => {
  if (!vectors) return t.skip("SKIPPED: no vectors for this build/learner.wasm (see the conformance test)");
  for (const l of vectors.left) t.diagnostic(`left out ${l.name}: ${l.why}`);
  t.diagnostic(`${vectors.fit.length} streams fit: ${vectors.fit.map((s) => s.name).join(", ")}`);
  assert.deepEqual(vectors.failures, []);
  assert.ok(vectors.fit.length >= vectors.left.length, "fewer than half of the streams fit");
  // Moving keeps every check: a flipped bit in the last CRC of a moved stream is caught.
  const s = structuredClone(vectors.fit[0]);
  const crc = s.ops.filter((o) => o[0] === "crc").pop() as ["crc", number, number, string];
  crc[3] = (parseInt(crc[3], 16) ^ 1).toString(16).padStart(8, "0");
  assert.match(replay(s, new NodeMachine(readWasm(SMALL_WASM))).failure ?? "", /CRC-32/);
});

test("the streams recorded on the small-RAM build replay on the default build (V8)", () => {
  const big = readWasm(WASM_PATH);
  for (const s of extra) {
    const moved = moveStream(s, layoutOf(readWasm(SMALL_WASM)), layoutOf(big));
    assert.equal(moved.left, undefined);
    assert.equal(replay(moved.stream, new NodeMachine(big)).failure, undefined, `${s.name}: the two builds learn differently`);
  }
});

test("the static-memory runtime and the 32-bit bounds check trap every access past the bytes backed", (t) => {
  const missing = ["wat2wasm", "wasm2c", "gcc"].filter((x) => !which(x));
  if (skipUnless(t, missing.length ? `${missing.join(", ")} not found; install: apt-get install -y wabt gcc` : undefined)) return;
  const dir = workDir("memory-probe");
  // Loads and stores at static offsets 0, 16 and 0xfffffff0, so that address + offset can pass 4 GiB.
  writeFileSync(join(dir, "probe.wat"), `(module (memory (export "memory") 1 1)
    (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "peek16") (param i32) (result i32) (i32.load offset=16 (local.get 0)))
    (func (export "peekfar") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get 0)))
    (func (export "poke") (param i32) (i32.store (local.get 0) (i32.const 7)))
    (func (export "poke16") (param i32) (i32.store offset=16 (local.get 0) (i32.const 7)))
    (func (export "pokefar") (param i32) (i32.store offset=0xfffffff0 (local.get 0) (i32.const 7)))
    (func (export "peekf") (param i32) (result i32) (i32.reinterpret_f32 (f32.load (local.get 0))))
    (func (export "peekf16") (param i32) (result i32) (i32.reinterpret_f32 (f32.load offset=16 (local.get 0))))
    (func (export "peekffar") (param i32) (result i32) (i32.reinterpret_f32 (f32.load offset=0xfffffff0 (local.get 0))))
    (func (export "pokef") (param i32) (f32.store (local.get 0) (f32.const 7)))
    (func (export "pokef16") (param i32) (f32.store offset=16 (local.get 0) (f32.const 7)))
    (func (export "pokeffar") (param i32) (f32.store offset=0xfffffff0 (local.get 0) (f32.const 7))))`);
  must(sh("wat2wasm", [join(dir, "probe.wat"), "-o", join(dir, "probe.wasm")]), "wat2wasm");
  must(sh("wasm2c", [join(dir, "probe.wasm"), "-n", "probe", "-o", join(dir, "probe.c")]), "wasm2c");
  // The accesses checked as the firmware checks them (the rewrites of scripts/dist/wasm2c-rewrite.ts).
  writeFileSync(join(dir, "probe.c"), rewriteWasm2c(readFileSync(join(dir, "probe.c"), "utf8"), readFileSync(join(dir, "probe.wasm"))));
  // Three ways to compile it: reading the memory's data and size from the instance; with the
  // static runtime's array and size as constants (EL_STATIC_MEMORY, what every image uses); and
  // with the floats' fast path besides (EL_FAST_FLOATS, on by default for an Arm FPU only).
  const modes = {
    instance: ["-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0"],
    static: [...STATIC_RUNTIME_FLAGS, "-DEL_FAST_FLOATS=0"],
    fastFloats: [...STATIC_RUNTIME_FLAGS, "-DEL_FAST_FLOATS=1"],
  };
  const build = (mode: keyof typeof modes, moduleBytes: number, runtimeBytes = moduleBytes): string => {
    const exe = join(dir, `probe-${mode}-${moduleBytes}-${runtimeBytes}`);
    const cc = ["-O2", "-std=gnu11", ...modes[mode], "-I/usr/src/wasm2c", `-I${dir}`];
    must(sh("gcc", [...cc, `-DEL_MEMORY_BYTES=${moduleBytes}u`, "-c", "-o", `${exe}.o`, join(dir, "probe.c")]), "gcc (probe module)");
    must(sh("gcc", [...cc, `-DEL_MEMORY_BYTES=${runtimeBytes}u`, "-o", exe, `${exe}.o`, join(TOOLS_DIR, "wasm2c/wasm-rt-static.c"), join(TOOLS_DIR, "wasm2c/memory_probe.c"), "-lm"]), "gcc (memory probe)");
    return exe;
  };
  const FAR = "+4294967280"; // offset 0xfffffff0
  // Address + offset past 4 GiB traps whatever the 32-bit sum wraps to (0xfffffff0 + 16 → 0).
  const wrapping = [`${0xfffffff0}+16`, `${0xffffffff}+16`, `0${FAR}`, `16${FAR}`, `20${FAR}`, `${0xffffffff}${FAR}`];
  // Each case as a load and as a store ("w" prefix), of a u32 and of an f32 ("f"): the same outcome.
  const both = (cases: [string, string][]): [string[], string[]] => {
    const all = cases.flatMap(([a, r]) => [[a, r], [`w${a}`, r], [`f${a}`, r], [`wf${a}`, r]]);
    return [all.map(([a]) => a), all.map(([a, r]) => `${a} ${r}`)];
  };
  // The same probe as a Cortex-M4F image under QEMU, where the floats' fast path is on by default
  // (EL_FAST_FLOATS for an Arm FPU): the arguments compiled in, the lines through semihosting.
  const m4f = CORTEX_M4F;
  const m4fProbe = (memoryBytes: number, args: string[]) => {
    const out = join(dir, `m4f-${memoryBytes}`);
    writeFileSync(join(dir, "probe_args.h"), `#define EL_PROBE_ARGS ${args.map((a) => JSON.stringify(a)).join(", ")}\n`);
    must(sh("make", ["-s", "-B", "-C", join(TOOLS_DIR, "m4f"), "probe", `GEN=${dir}`, `OUT=${out}`, `ARCH=${m4f.arch.join(" ")}`,
      `EXTRA_CFLAGS=-DEL_MEMORY_BYTES=${memoryBytes}u`]), "make probe (Cortex-M4F)");
    const elf = join(out, "el-m4f-probe.elf");
    return sh("qemu-system-arm", qemuArgs(m4f.machine, elf));
  };
  for (const mode of Object.keys(modes) as (keyof typeof modes)[]) {
    const run = (exe: string, args: string[]) => must(sh(exe, args), `memory probe (${mode})`).stdout.trim().split("\n");
    const [small, smallWant] = both([
      ["0", "ok"], ["2", "ok"], [`${end - 6}`, "ok"], [`${end - 4}`, "ok"], [`${end - 3}`, "trap oob"], [`${end}`, "trap oob"], [`${KIB16}`, "trap oob"], ["65532", "trap oob"],
      [`${end - 20}+16`, "ok"], [`${end - 19}+16`, "trap oob"], [`${end - 16}+16`, "trap oob"], ...wrapping.map((w): [string, string] => [w, "trap oob"]),
    ]);
    assert.deepEqual(run(build(mode, end), small), smallWant, `${mode}: ${end} bytes backed`);
    const [page, pageWant] = both([["65532", "ok"], ["65533", "trap oob"], ["65516+16", "ok"], ["65517+16", "trap oob"], ...wrapping.map((w): [string, string] => [w, "trap oob"])]);
    assert.deepEqual(run(build(mode, 65536), page), pageWant, `${mode}: a full page stays a full page`);
    // Memory smaller than the rewrite's reach (here 16 + 4 bytes): refused when instantiated.
    const refused = (exe: string, why: string) => {
      const r = sh(exe, ["0"]);
      assert.equal(r.status, 3, `${mode}, ${why}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /out of bounds/);
    };
    refused(build(mode, 16), "16 bytes backed");
    // Static mode checks against a constant: a module compiled for more bytes than the runtime
    // backs must be refused too (its constant would not be the memory's size).
    if (mode !== "instance") refused(build(mode, 65536, end), "module compiled for a page, runtime backing less");
    if (mode !== "fastFloats") continue;
    if (smallToolsMissing()) {
      skipUnless(t, `the Cortex-M4F probe: ${smallToolsMissing()}`);
      continue;
    }
    const onM4f = (memoryBytes: number, args: string[]) => {
      const r = m4fProbe(memoryBytes, args);
      assert.equal(r.status, 0, `Cortex-M4F probe: ${r.stdout}${r.stderr}`);
      return r.stdout.trim().split("\n");
    };
    assert.deepEqual(onM4f(end, small), smallWant, `Cortex-M4F: ${end} bytes backed`);
    assert.deepEqual(onM4f(65536, page), pageWant, "Cortex-M4F: a full page");
    // Refused when instantiated (QEMU's semihosting exit reports any failure as status 1).
    const r16 = m4fProbe(16, ["0"]);
    assert.equal(r16.status, 1, `Cortex-M4F, 16 bytes backed: ${r16.stdout}${r16.stderr}`);
    assert.match(r16.stdout, /^trap outside a guarded call: out of bounds/);
  }
});

for (const target of CORTEX_TARGETS) {
  test(`small-RAM build on ${targetName(target)}: 32 KiB RAM, 64 KiB flash, the vectors that fit`, (t) => {
    if (skipUnless(t, smallToolsMissing())) return;
    if (!vectors) return t.skip("SKIPPED: no vectors for this build/learner.wasm (see the conformance test)");
    const streams = [...vectors.fit, ...extra];
    const images = buildImages(target, end, prepareSmall(streams));
    const o = replayOn(target, images.replay);
    for (const n of o.notes) t.diagnostic(n);
    assert.deepEqual(o.failures, [], `${targetName(target)} diverged:\n${o.failures.join("\n")}`);
    assert.deepEqual(o.passed, streams.map((s) => s.name));
    for (const [name, elf] of Object.entries(images)) {
      const f = footprint(elf);
      t.diagnostic(`${name} image: flash ${f.flash} B, RAM ${f.ram} B (linear memory ${end} B, stack ${f.stack} B)`);
      assert.ok(f.ram <= 32768 && f.flash <= 65536, `${name}: ${JSON.stringify(f)}`);
    }
    const m = measureOn(target, images.measure);
    t.diagnostic(`learn_one: ${m.learnOneInstructions} instructions (8-feature LINEAR), stack used ${m.stackUsed} B`);
    assert.equal(m.readings, 3000, "the measuring program's stream was not learned");
  });
}

test("the small-RAM firmware of a release: the example, linked for 32 KiB of RAM, learns as Node does on every core", (t) => {
  if (skipUnless(t, smallToolsMissing())) return;
  const fw = smallFirmware(tempDir("small-firmware"), { packageVersion: "0.0.0" }, true);
  assert.equal(fw.memoryBytes, end);
  assert.deepEqual(fw.builds.map((b) => b.target.id), ["m4f", "m3"]);
  const ref = nodeReference();
  assert.deepEqual(nodeReference(SMALL_WASM), ref, "the small build learns as the default build does (V8)");
  for (const b of fw.builds) {
    assert.ok(typeof b.run !== "string", `${b.target.id}: ${String(b.run)}`);
    assert.deepEqual(b.run.failures, [], b.target.id);
    assert.deepEqual(exampleFacts(b.run), ref, `${targetName(b.target)} learned differently from Node`);
    assert.match(b.library, new RegExp(`/${b.target.id}/libedgelearn-${b.target.id}\\.a$`));
    const flash = b.exampleSize.text + b.exampleSize.data;
    const ram = b.exampleSize.data + b.exampleSize.bss;
    t.diagnostic(`${b.target.id} example: flash ${flash} B, RAM ${ram} B`);
    assert.ok(flash <= 65536 && ram <= 32768, `${b.target.id}: flash ${flash}, RAM ${ram}`);
  }
});
