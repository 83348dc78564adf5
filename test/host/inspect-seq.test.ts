// `edgelearn inspect STORE.db --seq N`: a checkpoint number that cannot be honoured is bad usage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { Learner, Kind } from "../../host/learner/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { tempDir } from "../helpers/tmp.js";

async function inspect(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["inspect", ...argv], { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const path = join(tempDir("inspect-seq"), "edgelearn.db");
const store = new SqliteStore({ path });
store.checkpoint("pump-1", new Learner().create(Kind.Linear, 2).snapshot(), 0, true);
store.close();

test("--seq without --device is bad usage, not a listing of every checkpoint", async () => {
  const r = await inspect(path, "--seq", "1");
  assert.equal(r.code, EXIT.USAGE);
  assert.match(r.err, /--seq needs --device/);
  assert.equal(r.out, "");
});

test("an empty or non-numeric --seq is bad usage, not checkpoint 0", async () => {
  for (const seq of ["", " ", "1.5", "one"]) {
    const r = await inspect(path, "--device", "pump-1", "--seq", seq);
    assert.equal(r.code, EXIT.USAGE, `--seq ${JSON.stringify(seq)}: ${r.err}`);
    assert.match(r.err, /--seq must be a checkpoint number/);
  }
  assert.equal((await inspect(path, "--device", "pump-1", "--seq", "1")).code, EXIT.OK);
});
