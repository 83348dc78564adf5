// The C sample of README.md's "Use the module in firmware" compiles as printed, without a single
// warning, against the header and files a release ships (the sample declares what a board supplies).
// Needs wabt and gcc; skipped without them, unless EDGELEARN_REQUIRE_ALL=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { DEFAULT_WASM } from "../../host/learner/index.js";
import { COMMON } from "../../scripts/dist/flags.js";
import { nativeToolsMissing, translate } from "../../scripts/dist/firmware.js";
import { requireOrSkip } from "../helpers/require.js";
import { tempDir } from "../helpers/tmp.js";

const README = readFileSync("README.md", "utf8");

test("the README's firmware sample compiles against the release's header without a warning", (t) => {
  const section = README.slice(README.indexOf("## Use the module in firmware"), README.indexOf("## Benchmarks"));
  const sample = /^```c\n([\s\S]*?)^```/m.exec(section)?.[1];
  assert.ok(sample, "README.md: no ```c block in \"Use the module in firmware\"");
  const missing = nativeToolsMissing();
  if (missing) return requireOrSkip(t, missing);
  const dir = tempDir("readme-firmware");
  translate(DEFAULT_WASM, dir, { packageVersion: "0.0.0" });
  writeFileSync(join(dir, "sample.c"), sample);
  // Only the release directory on the include path: wasm-rt.h must come from there too.
  const r = spawnSync("gcc", [...COMMON, "-Wall", "-Wextra", "-Werror", `-I${dir}`, "-fsyntax-only", join(dir, "sample.c")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
