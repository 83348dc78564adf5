// The rewrites of wasm2c's C beside the bounds check (scripts/dist/wasm2c-rewrite.ts): abs as a
// clear of the sign bit, f32.sqrt as the FPU's instruction, and the call-depth count kept only
// where the binary shows a function can recur (scripts/dist/wasm-call-depth.ts). Each must do exactly what it claims or stop the build.
// (That the images stay bit-identical: the conformance and small-RAM tests.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withBitAbs } from "../../scripts/dist/wasm2c-abs.js";
import { withHardwareSqrt } from "../../scripts/dist/wasm2c-sqrt.js";
import { staticCallDepth } from "../../scripts/dist/wasm-call-depth.js";
import { STATIC_RUNTIME_FLAGS, rewriteWasm2c } from "../../scripts/dist/wasm2c-rewrite.js";
import { TOOLS_DIR } from "../conformance/paths.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("wasm2c-rewrite");

/** wat → wasm → wasm2c's C, or undefined (test skipped) without wabt. */
function translated(t: { skip(m: string): void }, name: string, wat: string): { c: string; wasm: Uint8Array } | undefined {
  writeFileSync(join(dir, `${name}.wat`), wat);
  const a = spawnSync("wat2wasm", [join(dir, `${name}.wat`), "-o", join(dir, `${name}.wasm`)]);
  const b = a.status === 0 ? spawnSync("wasm2c", [join(dir, `${name}.wasm`), "-n", name, "-o", join(dir, `${name}.c`)]) : a;
  if (a.error || b.error || b.status !== 0) {
    t.skip("SKIPPED: wat2wasm/wasm2c not found; install: apt-get install -y wabt");
    return undefined;
  }
  return { c: readFileSync(join(dir, `${name}.c`), "utf8"), wasm: new Uint8Array(readFileSync(join(dir, `${name}.wasm`))) };
}

/** The C compiles with the flags of every image. */
function compiles(name: string, c: string): void {
  writeFileSync(join(dir, `${name}.rw.c`), c);
  const cc = spawnSync("gcc", ["-fsyntax-only", "-std=gnu11", ...STATIC_RUNTIME_FLAGS, "-I/usr/src/wasm2c", `-I${dir}`, join(dir, `${name}.rw.c`)], { encoding: "utf8" });
  if (!cc.error) assert.equal(cc.status, 0, cc.stderr);
}

// a calls b twice, b calls c: three frames at most.
const CHAIN = `(module (memory 1 1)
  (func $c (result i32) (i32.load (i32.const 0)))
  (func $b (result i32) (call $c))
  (func (export "a") (result i32) (i32.add (call $b) (call $b))))`;
// $fact calls itself; $even/$odd call each other; $leaf and $top do not recur.
const RECURSIVE = `(module (memory 1 1)
  (func $leaf (param i32) (result i32) (local.get 0))
  (func $fact (export "fact") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (i32.mul (call $leaf (local.get 0)) (call $fact (i32.sub (local.get 0) (i32.const 1)))))))
  (func $even (param i32) (result i32) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "top") (param i32) (result i32) (i32.add (call $leaf (call $fact (local.get 0))) (call $even (local.get 0)))))`;
const INDIRECT = `(module (memory 1 1) (type $t (func (result i32)))
  (table 1 funcref) (elem (i32.const 0) $one)
  (func $one (result i32) (i32.const 1))
  (func (export "call0") (result i32) (call_indirect (type $t) (i32.const 0))))`;

const prologues = (c: string) => c.split("\n").filter((l) => l === "  FUNC_PROLOGUE;").length;

test("an acyclic call graph: its depth, and no count anywhere", (t) => {
  const m = translated(t, "chain", CHAIN);
  if (!m) return;
  assert.deepEqual(staticCallDepth(m.wasm), { recursive: new Set(), depth: 3 });
  const out = rewriteWasm2c(m.c, m.wasm);
  assert.match(out, /#define EL_STATIC_CALL_DEPTH 3\n#if EL_STATIC_CALL_DEPTH <= WASM_RT_MAX_CALL_STACK_DEPTH \|\| !WASM_RT_USE_STACK_DEPTH_COUNT\n#undef FUNC_PROLOGUE\n#undef FUNC_EPILOGUE\n#define FUNC_PROLOGUE\n#define FUNC_EPILOGUE\n#endif\n/);
  compiles("chain", out);
});

test("recursion: only the functions on a cycle keep their count", (t) => {
  const m = translated(t, "rec", RECURSIVE);
  if (!m) return;
  // fact (1) calls itself, even (2) and odd (3) each other; top → leaf is the longest uncounted run.
  assert.deepEqual(staticCallDepth(m.wasm), { recursive: new Set([1, 2, 3]), depth: 2 });
  assert.equal(prologues(m.c), 5);
  const out = rewriteWasm2c(m.c, m.wasm);
  assert.equal(prologues(out), 3);
  assert.match(out, /#define EL_UNCOUNTED_CALL_DEPTH 2\n/);
  assert.doesNotMatch(out, /#undef FUNC_PROLOGUE/);
  // The count is in $fact's body (w2c_fact: named by its export), not in $leaf's (w2c_f0).
  const body = (name: string) => out.slice(out.indexOf(`${name}(Z_rec_instance_t* instance`), out.indexOf("\n}\n", out.indexOf(`${name}(Z_rec_instance_t* instance`)));
  assert.match(body("w2c_fact"), /FUNC_PROLOGUE;[^]*FUNC_EPILOGUE;/);
  assert.doesNotMatch(body("w2c_f0"), /FUNC_(PRO|EPI)LOGUE/);
  compiles("rec", out);
  // Functions out of wasm2c's order: refused.
  assert.throws(() => rewriteWasm2c(m.c.replace(/static u32 w2c_f0\(Z_rec_instance_t\* instance/, "static u32 w2c_f9(Z_rec_instance_t* instance"), m.wasm), /prologue #0 is in w2c_f9/);
});

test("a table or an indirect call: the count stays in every function", (t) => {
  const m = translated(t, "ind", INDIRECT);
  if (!m) return;
  assert.deepEqual(staticCallDepth(m.wasm), { why: "the module defines a table" });
  const out = rewriteWasm2c(m.c, m.wasm);
  assert.equal(prologues(out), prologues(m.c));
  assert.match(out, /Call depth: not reasoned about statically \(the module defines a table\)/);
  compiles("ind", out);
});

test("abs becomes a clear of the sign bit, or the build stops", (t) => {
  const m = translated(t, "chain", CHAIN);
  if (!m) return;
  const out = withBitAbs(m.c);
  // GCC and Clang clear the sign bit in an FPU (VABS on a Cortex-M4F); elsewhere through an integer
  assert.match(out, /static float wasm_fabsf\(float x\) \{\n#if \(defined\(__GNUC__\) \|\| defined\(__clang__\)\) && \\\n.*__ARM_FP & 4.*\n  return __builtin_fabsf\(x\);\n#else\n  uint32_t tmp;\n  memcpy\(&tmp, &x, 4\);\n  tmp &= 0x7fffffffu;/);
  assert.match(out, /static double wasm_fabs\(double x\) \{\n#if \(defined\(__GNUC__\) \|\| defined\(__clang__\)\) && \\\n.*__ARM_FP & 8.*\n  return __builtin_fabs\(x\);\n#else\n  uint64_t tmp;\n  memcpy\(&tmp, &x, 8\);\n  tmp &= 0x7fffffffffffffffull;/);
  assert.doesNotMatch(out, /return fabsf?\(x\)/);
  assert.throws(() => withBitAbs(out), /wasm_fabsf not found once/);
});

test("the Makefiles compile with the flags the rewrite is written for", () => {
  for (const mk of ["m4f/Makefile", "wasm2c/Makefile"]) {
    const line = /^STATIC_RT = (.*)$/m.exec(readFileSync(join(TOOLS_DIR, mk), "utf8"));
    assert.equal(line?.[1], STATIC_RUNTIME_FLAGS.join(" "), mk);
  }
});

test("f32.sqrt as the FPU's instruction: wasm2c's bits for NaNs of either sign, negatives, zeros, infinities", (t) => {
  const m = translated(t, "sq", `(module (memory 1 1)
    (func (export "sq") (param i32) (result i32) (i32.reinterpret_f32 (f32.sqrt (f32.reinterpret_i32 (local.get 0))))))`);
  if (!m) return;
  const out = rewriteWasm2c(m.c, m.wasm);
  assert.match(out, /return __builtin_sqrtf\(x\);/);
  assert.throws(() => withHardwareSqrt(out), /wasm_sqrtf not found once/);
  writeFileSync(join(dir, "sq-main.c"), `#include <stdio.h>
#include <stdlib.h>
#include "sq.h"
void el_trap_halt(wasm_rt_trap_t code) { (void)code; exit(3); }
int main(int argc, char** argv) {
  static Z_sq_instance_t inst;
  wasm_rt_init();
  Z_sq_init_module();
  Z_sq_instantiate(&inst);
  for (int i = 1; i < argc; i++) printf("%08x\\n", Z_sqZ_sq(&inst, (u32)strtoul(argv[i], 0, 16)));
  return 0;
}
`);
  // signalling and quiet NaNs of both signs with payloads, negatives, ±0, a subnormal, ±Inf, squares
  const inputs = ["7fa00001", "ffa00001", "7fc00005", "ffc00000", "7fc00000", "bf800000", "80000000", "00000000", "00000001", "7f800000", "ff800000", "40800000", "3f800000"];
  const run = (name: string, c: string, flags: string[]): string => {
    writeFileSync(join(dir, `${name}.c`), c);
    const exe = join(dir, name);
    const cc = spawnSync("gcc", ["-O2", "-std=gnu11", "-ffp-contract=off", ...flags, "-I/usr/src/wasm2c", `-I${dir}`, "-o", exe, join(dir, `${name}.c`), join(dir, "sq-main.c"), join(TOOLS_DIR, "wasm2c/wasm-rt-static.c"), "-lm"], { encoding: "utf8" });
    assert.equal(cc.status, 0, cc.stderr);
    const r = spawnSync(exe, inputs, { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const wasm2cOwn = run("sq-own", m.c, ["-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0"]);
  assert.equal(run("sq-rewritten", out, STATIC_RUNTIME_FLAGS), wasm2cOwn);
  assert.match(wasm2cOwn, /^7fe00001\nffe00001\n7fc00005\n/); // a NaN comes back quieted, sign and payload kept
});
