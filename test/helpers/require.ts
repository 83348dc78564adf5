// Optional prerequisites (a data set, a binary): skipped when missing, unless
// EDGELEARN_REQUIRE_ALL=1 (CI), where a missing prerequisite fails the test.

import type { TestContext } from "node:test";

export function requireOrSkip(t: TestContext, what: string): void {
  if (process.env.EDGELEARN_REQUIRE_ALL === "1") throw new Error(`${what} is missing (EDGELEARN_REQUIRE_ALL=1)`);
  t.skip(`${what} is missing`);
}
