// The C hosts of README.md's "Running the module elsewhere" (one for wasm3, one for WAMR) compile
// as printed, without a warning, run on this machine against the runtimes the conformance suite
// uses, and learn exactly what the host's learner learns from the same readings: the same
// prediction and flags, and a state blob identical byte for byte.
// Needs gcc, for wasm3 its sources (or pip to fetch them), for WAMR cargo; skipped without them,
// unless EDGELEARN_REQUIRE_ALL=1.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { DEFAULT_WASM, Kind, Learner } from "../../host/learner/index.js";
import { requireOrSkip } from "../helpers/require.js";
import { tempDir } from "../helpers/tmp.js";
import { type CRuntime, wamrMissing, wamrRuntime, wasm3Missing, wasm3Runtime } from "./embedding-runtimes.js";

const README = readFileSync("README.md", "utf8");
const SECTION = README.slice(README.indexOf("## Running the module elsewhere"), README.indexOf("## Use the module in firmware"));

/** The readings both samples learn (LINEAR, 2 features): change them together with the samples. */
const READINGS = [
  { x: [1, 2], y: 2.5 },
  { x: [1.5, 2.5], y: 3 },
];

function sample(header: string): string {
  const block = [...SECTION.matchAll(/^```c\n([\s\S]*?)^```/gm)].map((m) => m[1]).find((c) => c.includes(`#include "${header}"`));
  assert.ok(block, `README.md: no \`\`\`c block including ${header} in "Running the module elsewhere"`);
  return block;
}

function expected(): { prediction: number; flags: number; state: Uint8Array } {
  const l = new Learner().create(Kind.Linear, 2);
  let flags = 0;
  for (const r of READINGS) flags = l.learn(r.y, r.x);
  return { prediction: l.prediction, flags, state: l.snapshot() };
}

interface Host {
  name: string;
  /** The header only its sample includes. */
  header: string;
  missing: () => string | undefined;
  runtime: () => CRuntime;
}

function compileAndRun(t: TestContext, { name, header, missing, runtime }: Host): void {
  const source = sample(header);
  const absent = missing();
  if (absent) return requireOrSkip(t, absent);
  const rt = runtime();
  const dir = tempDir(`readme-${name}`);
  writeFileSync(join(dir, "host.c"), source);
  const exe = join(dir, "host");
  const cc = spawnSync("gcc", ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", `-I${rt.include}`, join(dir, "host.c"), ...rt.link, "-o", exe], { encoding: "utf8" });
  assert.equal(cc.status, 0, `the ${name} sample does not compile:\n${cc.stderr}`);
  const run = spawnSync(exe, [DEFAULT_WASM], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  assert.equal(run.status, 0, `the ${name} sample exited ${run.status}:\n${run.stderr}`);
  const m = /^prediction (\S+), flags 0x([0-9a-f]+)$/m.exec(run.stdout);
  assert.ok(m, `the ${name} sample printed no prediction:\n${run.stdout}`);
  const want = expected();
  // %.9g prints every f32 exactly, so the value read back is the module's bits.
  assert.equal(Math.fround(Number(m[1])), want.prediction, "prediction (are READINGS still the sample's readings?)");
  assert.equal(parseInt(m[2], 16), want.flags, "flags of the last reading");
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, "learner.state"))), want.state, "the state blob differs from the host learner's");
}

test("the README's wasm3 host learns, bit for bit, what the host's learner learns", (t) => {
  compileAndRun(t, { name: "wasm3", header: "wasm3.h", missing: wasm3Missing, runtime: wasm3Runtime });
});

test("the README's WAMR host learns, bit for bit, what the host's learner learns", (t) => {
  compileAndRun(t, { name: "WAMR", header: "wasm_export.h", missing: wamrMissing, runtime: wamrRuntime });
});
