// README.md must stay true: its configuration reference lists exactly the settings of the schema,
// the files it points to exist, and it names the test command CI runs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { configSchema } from "../../host/config/schema.js";

const README = readFileSync("README.md", "utf8");

interface Schema {
  type?: string | readonly string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}

/** Leaf paths of the schema, arrays of objects as `name[].field` (plus `name` itself). */
function settingPaths(s: Schema, prefix = ""): string[] {
  if (s.type === "object" && s.properties) {
    return Object.entries(s.properties).flatMap(([k, v]) => settingPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  if (s.type === "array" && s.items?.properties) {
    return [prefix, ...Object.entries(s.items.properties).flatMap(([k, v]) => settingPaths(v, `${prefix}[].${k}`))];
  }
  return [prefix];
}

test("the README's configuration reference lists exactly the schema's settings", () => {
  const section = README.slice(README.indexOf("## Configuration"), README.indexOf("## Command line"));
  const documented = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
  const schema = settingPaths(configSchema as Schema);
  const missing = schema.filter((p) => !documented.includes(p));
  const stale = documented.filter((p) => !schema.includes(p));
  assert.deepEqual(missing, [], `README.md: add rows for ${missing.join(", ")}`);
  assert.deepEqual(stale, [], `README.md: remove rows for ${stale.join(", ")}`);
});

test("the README names npm test and points only to files that exist", () => {
  assert.match(README, /The test command is `npm test`/);
  const prose = README.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  for (const m of prose.matchAll(/\]\(([^)#\s]+)\)/g)) {
    if (/^https?:/.test(m[1])) continue;
    assert.ok(existsSync(m[1]), `README.md links to ${m[1]}, which does not exist`);
  }
  assert.ok(README.includes("deploy/edgelearn.service") && existsSync("deploy/edgelearn.service"));
  assert.match(readFileSync("deploy/edgelearn.service", "utf8"), /^ExecStart=.*edgelearn\.js run --config /m);
});
