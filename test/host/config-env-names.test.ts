// The EDGELEARN_ variables the project reads that are not settings: each must be in NOT_SETTINGS,
// or the configuration refuses it (the tests start `edgelearn run` with their own environment, so
// a variable missing from the list would stop the service under CI), and each listed one must
// still be read somewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NOT_SETTINGS } from "../../host/config/env-names.js";
import { loadConfig } from "../../host/config/load.js";

const ROOTS = ["host", "test", "bench", "scripts", "tools", ".ci", "deploy"];

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "vectors" || name === "fixtures") continue;
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js|sh|py|service)$|^run$/.test(name)) out.push(p);
  }
  return out;
}

/** Variables read (process.env.X, process.env["X"], os.environ) or set for a command (X=...). */
function variablesRead(): Map<string, string> {
  const found = new Map<string, string>();
  const read = /process\.env(?:\.|\[["'])(EDGELEARN_\w+)|environ(?:\.get\(|\[)["'](EDGELEARN_\w+)|(?:^|[\s;(]|export |Environment=)(EDGELEARN_\w+)=/gm;
  for (const root of ROOTS) {
    for (const f of files(root)) {
      for (const m of readFileSync(f, "utf8").matchAll(read)) {
        const name = m[1] ?? m[2] ?? m[3];
        if (!found.has(name)) found.set(name, f);
      }
    }
  }
  return found;
}

test("every EDGELEARN_ variable the project reads is a setting or listed as none", () => {
  const read = variablesRead();
  assert.ok(read.has("EDGELEARN_CONFIG") && read.has("EDGELEARN_REQUIRE_ALL"), `found ${[...read.keys()].join(", ")}`);
  for (const [name, file] of read) {
    if (NOT_SETTINGS.includes(name)) continue;
    // A setting's variable loads (a value of the wrong type is reported for the setting, not the name).
    try {
      loadConfig({ env: { [name]: "1" } });
    } catch (e) {
      const problems = (e as { problems?: string[] }).problems ?? [];
      assert.ok(!problems.some((p) => p.startsWith(`${name}: no such setting`)), `${file} reads ${name}: add it to NOT_SETTINGS (host/config/env-names.ts)`);
    }
  }
  for (const name of NOT_SETTINGS) assert.ok(read.has(name), `NOT_SETTINGS lists ${name}, which nothing reads any more`);
});
