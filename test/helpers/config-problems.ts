// The problems a configuration error lists, for tests that expect one.
import assert from "node:assert/strict";
import { ConfigError } from "../../host/config/load.js";

/** Runs `fn` and gives the problems of the ConfigError it throws; fails the test when it throws none. */
export function configProblems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  assert.fail("expected a ConfigError");
}
