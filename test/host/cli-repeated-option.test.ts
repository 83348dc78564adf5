// An option with a value given twice is bad usage (exit 2) naming the option, in every command:
// it used to take the last value without a word. The options documented as repeatable (--set and
// --param of replay and compare) still repeat.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("cli-repeated-option");
const csv = join(dir, "d.csv");
writeFileSync(csv, "x,y\n1,3\n2,5\n3,7\n4,9\n5,11\n6,13\n7,15\n8,17\n9,19\n10,21\n");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

// Each would stop at once were the repetition let through (a model without its target, a file
// missing, a port out of range...): no service or demo is left running by a regression.
const REPEATED: [string, string[]][] = [
  ["--broker", ["run", "--broker", "mqtt://127.0.0.1:1", "--broker", "mqtt://user:secret@127.0.0.1:2", "--task", "regression"]],
  ["--config", ["run", "-c", join(dir, "a.yaml"), "--config", join(dir, "b.yaml")]],
  ["--task", ["run", "--broker", "mqtt://127.0.0.1:1", "--task", "anomaly", "--task=regression"]],
  ["--task", ["replay", csv, "--task", "regression", "--task", "anomaly", "--target", "y"]],
  ["--target", ["compare", csv, "--task", "regression", "--target", "y", "--target", "x"]],
  ["--device", ["inspect", join(dir, "store.db"), "--device", "a", "--device", "b"]],
  ["--http-port", ["demo", "--http-port", "0", "--http-port", "70000"]],
];

for (const [option, argv] of REPEATED) {
  test(`${argv[0]} ${option} twice: bad usage naming ${option}, nothing run`, async () => {
    const r = await cli(...argv);
    assert.equal(r.code, EXIT.USAGE, r.err);
    assert.match(r.err, new RegExp(`^edgelearn ${argv[0]}: ${option} is given more than once; give it once`));
    assert.equal(r.out, "");
    // The values are not repeated back: one may hold a password.
    assert.doesNotMatch(r.err, /secret/);
  });
}

test("a flag twice means what it does once", async () => {
  const r = await cli("replay", csv, "--task", "regression", "--target", "y", "--quiet", "--quiet");
  assert.equal(r.code, EXIT.OK, r.err);
});

test("--param and --set repeat, in replay and compare", async () => {
  const replay = await cli("replay", csv, "--task", "regression", "--target", "y", "--quiet", "--param", "learning_rate=0.1", "--param", "l2=0.01", "--set", "l2=0.02");
  assert.equal(replay.code, EXIT.OK, replay.err);
  const compare = await cli("compare", csv, "--task", "regression", "--target", "y", "--json", "--set", "learning_rate=0.1", "--set", "l2=0.01", "--param", "l2=0.02");
  assert.equal(compare.code, EXIT.OK, compare.err);
});
