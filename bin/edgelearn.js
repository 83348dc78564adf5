#!/bin/sh
":" //; exec node --max-semi-space-size=4 "$0" "$@"
// Thin launcher: the CLI is compiled from host/cli/main.ts into build/host/cli/main.js by `npm run build`.
// The two lines above are read by sh, which starts node on this file with
// --max-semi-space-size=4 (MiB): it caps V8's young generation, which with the default grows over
// a long stream and RSS with it (docs/BENCHMARKS.md). The flag must be on node's command line (here
// and in deploy/edgelearn.service): v8.setFlagsFromString() comes too late, the heap is already set
// up. Not `#!/usr/bin/env -S node …`: `-S` is GNU env's, and BusyBox's env (Alpine, OpenWrt)
// refuses it. Node skips the first line and reads the second as a string and a comment.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "build", "host", "cli", "main.js");
if (!existsSync(cli)) {
  // Exit 3, the code for a missing build (README, "Command line"), as for a missing learner.wasm.
  process.stderr.write("edgelearn: build/host/cli/main.js is missing: reinstall the package (in a source checkout, run `npm run build`)\n");
  process.exit(3);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
