// The two version numbers users rely on are stated once each and agree everywhere: the package
// version (package.json) and the state-blob ABI version (host/learner/abi.ts, the module itself),
// in the exported constants, README's "Versions" and the newest CHANGELOG entry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ABI_VERSION, PACKAGE_VERSION, VERSIONS } from "../../host/version.js";
import { compileLearner } from "../../host/learner/index.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

test("the exported constants are the package's and the module's versions", () => {
  assert.equal(PACKAGE_VERSION, pkg.version);
  assert.deepEqual(VERSIONS, { package: pkg.version, abi: ABI_VERSION });
  const inst = new WebAssembly.Instance(compileLearner(), {});
  assert.equal((inst.exports.abi_version as () => number)(), ABI_VERSION);
});

test("README and CHANGELOG name both versions", () => {
  const readme = readFileSync("README.md", "utf8");
  assert.ok(readme.includes(`**edgelearn ${pkg.version}, state-blob ABI version ${ABI_VERSION}**`), "README.md: update the Versions paragraph");
  const changelog = readFileSync("CHANGELOG.md", "utf8");
  const newest = changelog.slice(changelog.indexOf("\n## "), changelog.indexOf("\n## ", changelog.indexOf("\n## ") + 1));
  assert.ok(newest.includes(pkg.version) && newest.includes(`state-blob ABI version ${ABI_VERSION}`), "CHANGELOG.md: the newest entry names the package and ABI versions");
});
