#!/usr/bin/env -S node --max-semi-space-size=4
// Thin launcher: the CLI is compiled from host/cli/main.ts into build/host/cli/main.js by `npm run build`.
// --max-semi-space-size=4 (MiB) caps V8's young generation: with the default it grows over a long
// stream and RSS with it (docs/BENCHMARKS.md). It must be given on node's command line (here and
// in deploy/edgelearn.service): v8.setFlagsFromString() comes too late, the heap is already set up.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "build", "host", "cli", "main.js");
if (!existsSync(cli)) {
  process.stderr.write("edgelearn: build/host/cli/main.js is missing; run `npm run build` first\n");
  process.exit(70);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
