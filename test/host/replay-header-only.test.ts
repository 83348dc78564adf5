// `edgelearn replay` on a file with a header and no rows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

const csv = join(tempDir("replay-header-only"), "empty.csv");
writeFileSync(csv, "a,b,y\n");

async function replay(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["replay", csv, "--quiet", ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

test("a misspelt column is bad input even when the file has no rows", async () => {
  const t = await replay("--task", "regression", "--target", "nope");
  assert.equal(t.code, EXIT.BAD_INPUT);
  assert.match(t.err, /no column "nope"/);
  assert.equal((await replay("--task", "regression", "--target", "y", "--features", "a,c")).code, EXIT.BAD_INPUT);
});

test("existing columns and no rows: a summary of 0 rows", async () => {
  const r = await replay("--task", "regression", "--target", "y", "--features", "a,b");
  assert.equal(r.code, EXIT.OK, r.err);
  assert.equal(JSON.parse(r.out).rows, 0);
});
