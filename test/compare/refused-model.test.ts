// `edgelearn compare` when the module refuses the online learner it is asked for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCompare } from "../../host/cli/compare.js";
import { EXIT } from "../../host/cli/common.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("compare-refused");

function csv(name: string, features: number): string {
  const cols = Array.from({ length: features }, (_, i) => `f${i}`);
  const rows = Array.from({ length: 50 }, (_, r) => [...cols.map((_, i) => (r * (i + 1)) % 7), r % 3].join(","));
  const file = join(dir, name);
  writeFileSync(file, [...cols, "y"].join(",") + "\n" + rows.join("\n") + "\n");
  return file;
}

async function run(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await runCompare(argv, { out: () => {}, err: (s) => void (err += s) });
  return { code, err };
}

test("a --set value the module refuses is bad usage (2), not a runtime failure", async () => {
  const r = await run(csv("small.csv", 2), "--task", "regression", "--target", "y", "--set", "learning_rate=-1");
  assert.equal(r.code, EXIT.USAGE);
  assert.match(r.err, /refused .*--set.*ERR_PARAM/);
});

test("more feature columns than a model takes is a CSV that cannot be used as it is (4)", async () => {
  const r = await run(csv("wide.csv", 40), "--task", "regression", "--target", "y");
  assert.equal(r.code, EXIT.BAD_INPUT);
  assert.match(r.err, /40 feature columns; the module takes at most 32/);
});

test("--param is compare's --set too (replay's name for it)", async () => {
  const r = await run(csv("small2.csv", 2), "--task", "regression", "--target", "y", "--param", "learning_rate=-1");
  assert.equal(r.code, EXIT.USAGE);
  assert.match(r.err, /ERR_PARAM/);
});
