#!/usr/bin/env node
// Runs every compiled host/e2e/conformance test (build/test/**/*.test.js) with node's test runner.
// Node 20's --test does not expand globs, so the files are listed here.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
const filter = process.argv[2];
// Only compiled tests whose source still exists: tsc never deletes the output of a removed file.
const hasSource = (f) => existsSync(f.replace(/^build[\\/]/, "").replace(/\.js$/, ".ts"));
const files = walk("build/test", []).filter((f) => hasSource(f) && (!filter || f.includes(filter)));
if (files.length === 0) {
  console.error("no tests found under build/test (run `npm run build` first)");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
