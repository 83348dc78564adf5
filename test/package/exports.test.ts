// package.json's exports: every entry point resolves under the conditions a tool other than
// Node's `import` uses (require.resolve, bundlers, linters: the `default` condition), to the same
// ES module `import` gets, with its declarations first.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

type Conditions = Record<string, string>;
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; exports: Record<string, string | Conditions> };
const entries = Object.entries(pkg.exports).filter((e): e is [string, Conditions] => typeof e[1] === "object");

test("every code entry point has types, import and a default condition, in that order, import and default alike", () => {
  assert.ok(entries.length >= 4);
  for (const [path, c] of entries) {
    assert.deepEqual(Object.keys(c), ["types", "import", "default"], path);
    assert.equal(c.default, c.import, path);
  }
});

test("require.resolve (conditions require, node, default) finds every entry point", () => {
  const require = createRequire(import.meta.url);
  for (const [path, c] of entries) {
    const specifier = path === "." ? pkg.name : `${pkg.name}/${path.slice(2)}`;
    assert.equal(require.resolve(specifier), resolve(c.import), specifier);
  }
});
