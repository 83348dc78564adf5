// Optional prerequisites (a data set, a binary): skipped when missing, unless
// EDGELEARN_REQUIRE_ALL=1 (CI), where a missing prerequisite fails the test.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";

const SYSTEM_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

/** A binary from the system directories (servers live in sbin, often off PATH), else from PATH. */
export function findBinary(name: string): string | undefined {
  for (const d of SYSTEM_DIRS) if (existsSync(`${d}/${name}`)) return `${d}/${name}`;
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.stdout?.trim() || undefined;
}

/** The binary, or skips the test (undefined); with EDGELEARN_REQUIRE_ALL=1 a missing binary fails it. */
export function requireBinary(t: TestContext, name: string, install: string): string | undefined {
  const p = findBinary(name);
  if (!p) requireOrSkip(t, `${name} (${install})`);
  return p;
}

export function requireOrSkip(t: TestContext, what: string): void {
  if (process.env.EDGELEARN_REQUIRE_ALL === "1") throw new Error(`${what} is missing (EDGELEARN_REQUIRE_ALL=1)`);
  t.skip(`${what} is missing`);
}
