// `edgelearn replay --predictions FILE` when FILE cannot be written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("replay-predictions");
const csv = join(dir, "data.csv");
writeFileSync(csv, "a,y\n" + Array.from({ length: 50 }, (_, i) => `${i % 5},${2 * (i % 5)}`).join("\n") + "\n");

async function replay(predictions: string): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await main(["replay", csv, "--task", "regression", "--target", "y", "--predictions", predictions, "--quiet"], { out: () => {}, err: (s) => void (err += s) });
  return { code, err };
}

test("a predictions path that cannot be opened exits 1 with the reason, before any row is learned", async () => {
  const r = await replay(join(dir, "no-such-dir", "out.csv"));
  assert.equal(r.code, EXIT.FAILURE);
  assert.match(r.err, /cannot write .*out\.csv \(ENOENT\)/);
  // Had the error come from a stream, it would arrive after this test and crash the process.
  await new Promise((r) => setTimeout(r, 50));
});

test("a write error on the predictions file (a full disk) exits 1 with the reason", { skip: !existsSync("/dev/full") }, async () => {
  const r = await replay("/dev/full");
  assert.equal(r.code, EXIT.FAILURE);
  assert.match(r.err, /cannot write \/dev\/full \(ENOSPC\)/);
});
