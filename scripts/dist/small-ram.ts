// The small-RAM build (asconfig target "small", build/learner-small.wasm) in a release: the module,
// its wasm2c translation, and a library per Cortex-M core (M4F with its FPU, M3 with soft float)
// whose runtime backs only the bytes the module uses, each with the example linked for a part
// with 32 KiB of RAM and 64 KiB of flash (tools/m4f/small-32k.ld) and run once under QEMU.
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { CORTEX_TARGETS, type CortexBuild, ROOT, buildCortexM, runExample, translate } from "./firmware.js";
import type { HeaderInfo } from "./c-header.js";
import { writeExampleKit } from "./example-kit.js";

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

export interface SmallCortexBuild extends CortexBuild {
  /** The example's JSON line under QEMU, or why it did not run. */
  run: Record<string, unknown> | string;
}

export interface SmallFirmware {
  memoryBytes: number;
  /** One build per core of CORTEX_TARGETS, in that order. */
  builds: SmallCortexBuild[];
}

/**
 * firmware/small in `dir`: learner.c/.h of the small module, edgelearn.h, a library and the example
 * per core (in <id>/), the example linked by the kit in `kit` (a release shares one; default: dir/example).
 */
export function smallFirmware(dir: string, info: HeaderInfo, runQemu: boolean, kit = writeExampleKit(join(dir, "example"))): SmallFirmware {
  const memoryBytes = staticEnd();
  translate(SMALL_WASM, dir, { ...info, wasmFile: "learner-small.wasm", memoryBytes });
  const builds = CORTEX_TARGETS.map((target) => {
    const b = buildCortexM(dir, join(dir, target.id), { kit, target, memoryBytes, ldScript: SMALL_LDSCRIPT });
    const run = runQemu ? runExample(b, `the small-RAM ${target.id} example`) : "not run (qemu-system-arm not found)";
    return { ...b, run };
  });
  return { memoryBytes, builds };
}
