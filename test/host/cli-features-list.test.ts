// --features with no name in it (`--features ""`, `","`, `" , "`) is bad usage for every command
// that takes it (run, replay, compare): it used to mean "infer the features", as if absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../../host/cli/main.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { conceptChange } from "../helpers/concept-change.js";

const dir = tempDir("features-list");
const csv = join(dir, "data.csv");
writeFileSync(csv, ["a,b,y", ...[...conceptChange(200, 100, 1, 0.05)].map((r) => `${r.a},${r.b},${r.y}`)].join("\n") + "\n");

// Nothing on disk and no port, should run ever get past its arguments.
const config = join(dir, "run.json");
writeFileSync(config, JSON.stringify({ store: { type: "memory" }, http: { enabled: false } }));

const COMMANDS: Record<string, string[]> = {
  // An unreachable broker: a usage error must come before any connection attempt.
  run: ["run", "--config", config, "--broker", "mqtt://127.0.0.1:1", "--task", "regression", "--target", "y"],
  replay: ["replay", csv, "--task", "regression", "--target", "y", "--quiet"],
  compare: ["compare", csv, "--task", "regression", "--target", "y", "--json"],
};

for (const [name, argv] of Object.entries(COMMANDS)) {
  test(`${name} --features with no name is bad usage (exit 2), naming the option`, { timeout: 10_000 }, async () => {
    for (const list of ["", ",", " , ", ",,"]) {
      const r = await cli(...argv, "--features", list);
      assert.equal(r.code, EXIT.USAGE, `--features ${JSON.stringify(list)}: ${r.err}`);
      assert.ok(r.err.startsWith(`edgelearn ${name}: --features needs at least one name, got ${JSON.stringify(list)}`), r.err);
      assert.equal(r.out, "");
    }
    const twice = await cli(...argv, "--features", "a,b,a");
    assert.equal(twice.code, EXIT.USAGE, twice.err);
    assert.match(twice.err, /--features names "a" twice/);
  });
}

test("replay and compare still take a list with spaces and a trailing comma", async () => {
  const replay = await cli(...COMMANDS.replay, "--features", " a , b,");
  assert.equal(replay.code, EXIT.OK, replay.err);
  const compare = await cli(...COMMANDS.compare, "--features", " a , b,");
  assert.equal(compare.code, EXIT.OK, compare.err);
  assert.deepEqual(JSON.parse(compare.out).features, ["a", "b"]);
});
