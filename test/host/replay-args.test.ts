// `edgelearn replay`'s arguments: what is refused before any row is read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseReplayArgs } from "../../host/cli/replay/args.js";
import { UsageError } from "../../host/cli/common.js";

test("the target among --features is bad usage, not a model handed its own answer", () => {
  assert.throws(() => parseReplayArgs(["d.csv", "--task", "regression", "--target", "y", "--features", "a,y"]), (e: unknown) => e instanceof UsageError && /target "y" cannot also be a feature/.test(e.message));
});

test("empty names in --features (a trailing comma) are left out, as run and compare do", () => {
  const o = parseReplayArgs(["d.csv", "--task", "regression", "--target", "y", "--features", "a, b,"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.features, ["a", "b"]);
});

test("replay: module parameters by --param or --set (compare's name for it), both repeatable", () => {
  const o = parseReplayArgs(["d.csv", "--task", "regression", "--target", "y", "--param", "learning_rate=0.1", "--set", "l2=0.01"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.params, { learning_rate: 0.1, l2: 0.01 });
});
