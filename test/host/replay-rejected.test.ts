// `edgelearn replay`'s summary counts every row not learned for a reason: the rows a missing or
// unusable target keeps from learning (no_target, bad_target) too, not only refused readings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("replay-rejected");

async function summary(rows: string[], ...args: string[]): Promise<{ rows: number; learned: number; rejected: number; rejected_by_reason: Record<string, number> }> {
  const csv = join(dir, `${args.join("_")}.csv`);
  writeFileSync(csv, ["x,y", ...rows].join("\n") + "\n");
  let out = "";
  let err = "";
  const code = await main(["replay", csv, "--quiet", ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  assert.equal(code, EXIT.OK, err);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

test("regression: rows without a target (empty, not a number) count as rejected, no_target, beside a refused reading", async () => {
  const s = await summary(["1,3", "2,5", "3,", "4,abc", "5,11", "nan,1"], "--task", "regression", "--target", "y");
  assert.deepEqual(s.rejected_by_reason, { no_target: 2, nonfinite: 1 });
  // It was 1: the refused reading only, so rows = learned + rejected did not add up.
  assert.equal(s.rejected, 3);
  assert.equal(s.learned, 3);
  assert.equal(s.rows, s.learned + s.rejected);
});

test("classification: a label that is not a class (a fraction, a negative) counts as rejected, bad_target", async () => {
  const s = await summary(["1,0", "2,1", "3,2.5", "4,-1", "5,"], "--task", "classification", "--target", "y");
  assert.deepEqual(s.rejected_by_reason, { bad_target: 2, no_target: 1 });
  // It was 0.
  assert.equal(s.rejected, 3);
  assert.equal(s.rows, s.learned + s.rejected);
});
