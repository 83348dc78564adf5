// The npm package as a user gets it: `npm pack` (which builds through prepack), then
// `npm install ./edgelearn-*.tgz` into an empty folder outside the repository (dependencies from
// the registry, or npm's cache), then the installed command and a TypeScript program that imports
// the API, type-checks under strict settings, and learns.
//
// better-sqlite3 has no prebuilt binary reachable here (they live on GitHub), so npm would compile
// it from source (about 3 minutes on a loaded 2-core machine). Unless EDGELEARN_PACKAGE_FROM_SOURCE=1,
// the test hands prebuild-install a local prebuild made from the repository's own compiled copy of
// the same version (its documented `local-prebuilds` option); every JavaScript file still comes from
// the installed tarball and the registry.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/tmp.js";
import { systemNpmEnv } from "../../scripts/dist/firmware.js";

const ROOT = resolve(".");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; devDependencies: Record<string, string> };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): SpawnSyncReturns<string> {
  // No NODE_PATH, no node_modules/.bin on PATH (under `npm test` the repository's would come first,
  // with the old npm a dev dependency brings) and a cwd outside the repository: nothing resolves
  // into the repository's node_modules.
  const { NODE_PATH: _drop, ...base } = systemNpmEnv();
  const r = spawnSync(cmd, args, { cwd, env: { ...base, ...env }, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}\n${(r.stderr || "").slice(-4000)}\n${(r.stdout || "").slice(-2000)}`);
  return r.stdout;
}

/** A prebuild-install archive of the repository's compiled better-sqlite3, or undefined when there is none. */
function localPrebuild(dir: string): string | undefined {
  if (process.env.EDGELEARN_PACKAGE_FROM_SOURCE === "1") return undefined;
  const mod = join(ROOT, "node_modules/better-sqlite3");
  const binary = join(mod, "build/Release/better_sqlite3.node");
  if (!existsSync(binary)) return undefined;
  const { version } = JSON.parse(readFileSync(join(mod, "package.json"), "utf8")) as { version: string };
  const out = join(dir, "prebuilds");
  mkdirSync(join(out, "src/build/Release"), { recursive: true });
  copyFileSync(binary, join(out, "src/build/Release/better_sqlite3.node"));
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  ok(run("tar", ["-czf", join(out, name), "-C", join(out, "src"), "build/Release/better_sqlite3.node"], ROOT), "tar (prebuild)");
  return out;
}

test("the packed tarball installs into an empty folder; its CLI runs and its typed API learns", { timeout: 900_000 }, () => {
  const work = tempDir("package");
  // 1. npm pack: prepack builds the module and the library.
  const packOut = ok(run("npm", ["pack", "--json", "--pack-destination", work], ROOT), "npm pack");
  // The prepack scripts print to the same stdout: the JSON report is the last top-level array.
  const packed = JSON.parse(packOut.slice(packOut.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const f of ["bin/edgelearn.js", "build/host/cli/main.js", "build/host/index.js", "build/host/index.d.ts", "build/learner.wasm", "config/edgelearn.example.yaml", "deploy/edgelearn.service", "README.md", "LICENSE", "CHANGELOG.md"]) {
    assert.ok(files.includes(f), `the tarball lacks ${f}`);
  }
  const stray = files.filter((f) => /^(test|bench|tools|assembly|scripts|notes)\//.test(f) || f.startsWith("build/test/") || f.startsWith("build/bench/") || f.endsWith(".map") || (f.endsWith(".ts") && !f.endsWith(".d.ts")));
  assert.deepEqual(stray, [], "tests, benchmarks, tools and sources stay out of the tarball");
  // The README the package page shows: its links to documents resolve inside the package (images
  // and the repository's tests are for a source checkout).
  const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/^```[^]*?^```/gm, ""); // links, not code
  const targets = [...readme.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1].replace(/^\.\//, ""));
  const unresolved = [...new Set(targets)].filter((t) => !/\.(png|svg)$/.test(t) && !t.startsWith("test/") && !files.includes(t) && !files.some((f) => f.startsWith(t.replace(/\/?$/, "/"))));
  assert.deepEqual(unresolved, [], "README links that the package does not ship");

  // 2. An empty folder: the tarball, and the compiler a TypeScript user brings.
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", allowScripts: { "better-sqlite3": true } }));
  const prebuilds = localPrebuild(work);
  const env: NodeJS.ProcessEnv = prebuilds ? { npm_config_better_sqlite3_local_prebuilds: prebuilds } : {};
  ok(
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies["@types/node"]}`],
      app,
      env,
      900_000,
    ),
    "npm install",
  );
  assert.ok(existsSync(join(app, "node_modules/better-sqlite3/build/Release/better_sqlite3.node")), "better-sqlite3 is built");
  assert.ok(!readdirSync(join(app, "node_modules/edgelearn")).includes("test"));

  // 3. The command.
  const help = ok(run("npx", ["edgelearn", "--help"], app), "edgelearn --help");
  assert.match(help, /^Usage: edgelearn <command>/);
  const version = ok(run("npx", ["edgelearn", "--version"], app), "edgelearn --version");
  assert.match(version.trim(), new RegExp(`^edgelearn ${pkg.version.replace(/\./g, "\\.")} \\(state-blob ABI \\d+\\)$`));
  const demo = ok(run("npx", ["edgelearn", "demo", "--duration", "5", "--port", "0"], app, {}, 120_000), "edgelearn demo");
  const m = /readings (\d+)\s+learned (\d+)/.exec(demo);
  assert.ok(m && Number(m[2]) > 100, demo);

  // 4. A TypeScript program: strict type-check against the shipped .d.ts, then run.
  copyFileSync(join(ROOT, "test/package/consumer/main.ts"), join(app, "main.ts"));
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, types: ["node"], outDir: "out" },
      files: ["main.ts"],
    }),
  );
  ok(run(join(app, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], app), "tsc (consumer)");
  const out = JSON.parse(ok(run("node", ["out/main.js"], app, {}, 120_000), "consumer").trim().split("\n").pop()!) as Record<string, unknown>;
  assert.deepEqual(out.versions, { package: pkg.version, abi: out.abi });
  assert.equal(out.pkg, pkg.version);
  assert.equal(out.learned, 3000);
  assert.equal(out.readings, 3500);
  assert.ok((out.oneError as number) < 0.05, `prediction error ${out.oneError}`);
  assert.ok((out.batchError as number) < 0.05, `batch error ${out.batchError}`);
  assert.equal(out.loadCode, 0);
  assert.equal(out.copyKind, 1);
  assert.equal(out.inspectValid, true);
  assert.equal(out.inspectKind, "Linear");
  assert.equal(out.inspectLearned, 3500);
  assert.equal(out.damagedError, "crc");
  assert.equal(out.codecY, 4.5);
  assert.equal(out.readingEvents, 200);
  assert.equal(out.serviceLearned, 200);
  assert.equal(out.metricsReadings, 200, "startApp serves /metrics");
});
