// The small-RAM build (asconfig target "small", build/learner-small.wasm) in a release: the module,
// its wasm2c translation, and the Cortex-M4F library whose runtime backs only the bytes the module
// uses, with the example linked for a part with 32 KiB of RAM and 64 KiB of flash
// (tools/m4f/small-32k.ld) and run once under QEMU.
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { type M4fBuild, ROOT, buildM4f, runExample, translate } from "./firmware.js";
import type { HeaderInfo } from "./c-header.js";

export const SMALL_WASM = join(ROOT, "build/learner-small.wasm");
export const SMALL_LDSCRIPT = "small-32k.ld";

/**
 * Where the small build's static memory ends (its highest address + 1), as the compiler counts it:
 * asc reports the end when it exceeds a low-memory limit, so it is asked with a limit of 16.
 * Lays out the source without optimising it: a few seconds.
 */
export function staticEnd(): number {
  const r = spawnSync(join(ROOT, "node_modules/.bin/asc"), ["assembly/index.ts", "--target", "small", "--lowMemoryLimit", "16", "--noEmit"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  const m = /static data: (\d+) >/.exec(`${r.stdout}${r.stderr}`);
  if (!m) throw new Error(`asc did not report the small build's static end:\n${`${r.stdout}${r.stderr}${r.error ?? ""}`.slice(-2000)}`);
  return Number(m[1]);
}

export interface SmallFirmware extends M4fBuild {
  memoryBytes: number;
  /** The example's JSON line under QEMU, or why it did not run. */
  run: Record<string, unknown> | string;
}

/** firmware/small in `dir`: learner.c/.h of the small module, edgelearn.h, the M4F library, the example. */
export function smallFirmware(dir: string, info: HeaderInfo, runQemu: boolean): SmallFirmware {
  const memoryBytes = staticEnd();
  translate(SMALL_WASM, dir, { ...info, memoryBytes });
  const m4f = buildM4f(dir, join(dir, "m4f"), { memoryBytes, ldScript: SMALL_LDSCRIPT });
  const run = runQemu ? runExample(m4f.example, "the small-RAM M4F example") : "not run (qemu-system-arm not found)";
  return { ...m4f, memoryBytes, run };
}
