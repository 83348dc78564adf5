// A release's firmware/ directory is enough to build and run the example: the kit's Makefile
// links it against the release library with the library's own flags, using only the headers the
// release ships (wasm-rt.h included), and the image learns under QEMU what Node learns.
// Needs wabt, gcc-arm-none-eabi and qemu-system-arm; skipped without them, unless EDGELEARN_REQUIRE_ALL=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_WASM } from "../../host/learner/index.js";
import { CORTEX_FLAGS } from "../../scripts/dist/flags.js";
import { CORTEX_TARGETS, ROOT, buildCortexM, cortexToolsMissing, have, runExample, translate } from "../../scripts/dist/firmware.js";
import { writeExampleKit } from "../../scripts/dist/example-kit.js";
import { requireOrSkip } from "../helpers/require.js";
import { tempDir } from "../helpers/tmp.js";
import { exampleFacts, nodeReference } from "./example-reference.js";

const MAKEFILE = readFileSync(join(ROOT, "tools/firmware/Makefile"), "utf8");
const variable = (name: string) => new RegExp(`^${name} = (.*)$`, "m").exec(MAKEFILE)?.[1];

test("the kit's Makefile compiles with the library's flags for each core", () => {
  assert.equal(variable("CORTEX_FLAGS"), CORTEX_FLAGS.join(" "), "tools/firmware/Makefile: CORTEX_FLAGS must be scripts/dist/flags.ts's list");
  for (const t of CORTEX_TARGETS) {
    assert.equal(variable(`ARCH_${t.id}`), t.arch.join(" "), `ARCH_${t.id}`);
    assert.equal(variable(`MACHINE_${t.id}`), t.machine, `MACHINE_${t.id}`);
  }
});

test("a release's firmware directory builds and runs its example from its own files", (t) => {
  const missing = cortexToolsMissing() ?? (have("qemu-system-arm") ? undefined : "qemu-system-arm");
  if (missing) return requireOrSkip(t, missing);
  const fw = tempDir("example-kit");
  translate(DEFAULT_WASM, fw, { packageVersion: "0.0.0" });
  assert.ok(existsSync(join(fw, "wasm-rt.h")), "the release ships the wasm-rt.h its library was compiled against");
  const kit = writeExampleKit(join(fw, "example"));
  for (const f of ["Makefile", "el_example.c", "startup.c", "mps2-an386.ld", "small-32k.ld"]) assert.ok(existsSync(join(kit, f)), f);
  const b = buildCortexM(fw, join(fw, "m4f"), { kit });
  const run = runExample(b, "the kit's example");
  assert.deepEqual(run.failures, []);
  assert.deepEqual(exampleFacts(run), nodeReference());
});
