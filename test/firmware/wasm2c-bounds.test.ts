// The rewrite of wasm2c's loads and stores to a 32-bit bounds check (scripts/dist/wasm2c-bounds.ts)
// must reach every call site or refuse: a call left with wasm2c's 64-bit check would still be
// correct but silently slow, and one rewritten wrongly would check the wrong address.
// (That the rewritten checks trap exactly where wasm does: test/conformance/small-ram.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withBoundsCheck32 } from "../../scripts/dist/wasm2c-bounds.js";
import { tempDir } from "../helpers/tmp.js";

const WAT = `(module (memory 1 1)
  (func (export "copy") (param i32 i32) (i32.store offset=8 (local.get 1) (i32.load (local.get 0))))
  (func (export "half") (param i32) (result i32) (i32.load16_u offset=2 (local.get 0))))`;

const dir = tempDir("wasm2c-bounds");

function translated(t: { skip(m: string): void }): string | undefined {
  writeFileSync(join(dir, "m.wat"), WAT);
  const a = spawnSync("wat2wasm", [join(dir, "m.wat"), "-o", join(dir, "m.wasm")]);
  const b = a.status === 0 ? spawnSync("wasm2c", [join(dir, "m.wasm"), "-n", "m", "-o", join(dir, "m.c")]) : a;
  if (a.error || b.error || b.status !== 0) {
    t.skip("SKIPPED: wat2wasm/wasm2c not found; install: apt-get install -y wabt");
    return undefined;
  }
  return readFileSync(join(dir, "m.c"), "utf8");
}

test("every load and store call site gets the 32-bit check, with its static offset apart", (t) => {
  const c = translated(t);
  if (c === undefined) return;
  const out = withBoundsCheck32(c);
  assert.match(out, /i32_load_k\(&instance->w2c_\w+, w2c_\w+, 0u\)/);
  assert.match(out, /i32_store_k\(&instance->w2c_\w+, w2c_\w+, 8u, /);
  assert.match(out, /i32_load16_u_k\(&instance->w2c_\w+, w2c_\w+, 2u\)/);
  // The largest static offset + width (the store's 8 + 4), required of the memory at instantiation.
  assert.match(out, /#define EL_REACH 12u\n/);
  assert.match(out, /wasm_rt_allocate_memory\(&instance->(w2c_\w+), 1, 1\);\n +if \(instance->\1\.size < EL_REACH\) TRAP\(OOB\);/);
  assert.doesNotMatch(out, /_(load|store)[0-9a-z_]*\(&instance->w2c_\w+, \(u64\)/);
  writeFileSync(join(dir, "m32.c"), out);
  const cc = spawnSync("gcc", ["-fsyntax-only", "-std=gnu11", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", "-I/usr/src/wasm2c", `-I${dir}`, join(dir, "m32.c")], { encoding: "utf8" });
  if (!cc.error) assert.equal(cc.status, 0, cc.stderr);
});

test("a call site it does not recognise stops the build", (t) => {
  const c = translated(t);
  if (c === undefined) return;
  const odd = c.replace(/(i32_load\(&instance->w2c_\w+, )\(u64\)\((w2c_\w+)\)/, "$1(u64)$2");
  assert.notEqual(odd, c);
  assert.throws(() => withBoundsCheck32(odd), /2 of 3 matched/);
  assert.throws(() => withBoundsCheck32("int x;\n"), /not found/);
});
