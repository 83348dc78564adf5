// `edgelearn replay` on a file with more numeric columns than a model takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

test("more than 32 inferred feature columns is a file that cannot be used as it is (4), saying why", async () => {
  const cols = Array.from({ length: 40 }, (_, i) => `f${i}`);
  const csv = join(tempDir("replay-wide"), "wide.csv");
  writeFileSync(csv, [...cols, "y"].join(",") + "\n" + Array.from({ length: 5 }, (_, r) => [...cols.map((_, i) => r + i), r].join(",")).join("\n") + "\n");
  let err = "";
  const code = await main(["replay", csv, "--task", "regression", "--target", "y", "--quiet"], { out: () => {}, err: (s) => void (err += s) });
  assert.equal(code, EXIT.BAD_INPUT);
  assert.match(err, /40 feature columns; a model takes at most 32 \(choose them with --features\)/);
  const chosen = await main(["replay", csv, "--task", "regression", "--target", "y", "--features", "f1,f2", "--quiet"], { out: () => {}, err: () => {} });
  assert.equal(chosen, EXIT.OK);
});
