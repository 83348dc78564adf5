// The `edgelearn` launcher (bin/edgelearn.js) as the system starts it: through its first line,
// with nothing but POSIX sh, as on Alpine or OpenWrt where env has no -S. It starts node with the
// young-generation cap, from a link with spaces in its path too (npm's .bin links).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/tmp.js";

const LAUNCHER = resolve("bin/edgelearn.js");

test("the launcher runs from its first line alone and gives node the semi-space cap", () => {
  // The kernel reads the interpreter from the first line: one every system has, with no options
  // (BusyBox's env refuses `-S`, and Linux passes everything after the path as one argument).
  assert.equal(readFileSync(LAUNCHER, "utf8").split("\n")[0], "#!/bin/sh");
  const dir = join(tempDir("launcher"), "with space");
  mkdirSync(join(dir, "bin"), { recursive: true });
  // A `node` first on PATH that writes down its arguments, then is the real one.
  const args = join(dir, "node-args.txt");
  const node = join(dir, "bin", "node");
  writeFileSync(node, `#!/bin/sh\nprintf '%s\\n' "$@" > '${args}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(node, 0o755);
  const link = join(dir, "edgelearn");
  symlinkSync(LAUNCHER, link);
  const r = spawnSync(link, ["--version"], { env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin` }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^edgelearn \d+\.\d+\.\d+/);
  assert.deepEqual(readFileSync(args, "utf8").trim().split("\n"), ["--max-semi-space-size=4", link, "--version"]);
  // Started by node itself (deploy/edgelearn.service does), the sh lines are a string and a comment.
  const direct = spawnSync(process.execPath, [LAUNCHER, "--version"], { encoding: "utf8" });
  assert.equal(direct.status, 0, direct.stderr);
  assert.equal(direct.stdout, r.stdout);
});

test("without the compiled host the launcher exits 3, the code for a missing build, and says how to build it", () => {
  // It exited 70, a code README's exit codes do not have.
  const dir = tempDir("launcher-unbuilt");
  mkdirSync(join(dir, "bin"));
  const copy = join(dir, "bin", "edgelearn.js");
  writeFileSync(copy, readFileSync(LAUNCHER));
  const r = spawnSync(process.execPath, [copy, "--version"], { encoding: "utf8" });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /build\/host\/cli\/main\.js is missing: .*npm run build/);
});
