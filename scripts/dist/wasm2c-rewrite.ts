// Every rewrite the build makes to wasm2c's C for the static-memory runtime
// (tools/wasm2c/wasm-rt-static.c), in one call for every image: the conformance and measuring
// images, the small-RAM images, the native runner and the release's firmware: 32-bit bounds checks
// (against the static array and size under EL_STATIC_MEMORY; floats' fast path on an Arm FPU),
// abs as a bit operation, f32.sqrt as the FPU's instruction where its NaN rule is wasm2c's, and no
// call-depth count when the module proves its depth bounded. Each throws when wasm2c's text is
// not what it was written for.
import { withBitAbs } from "./wasm2c-abs.js";
import { withBoundsCheck32 } from "./wasm2c-bounds.js";
import { withCallDepthBound } from "./wasm2c-call-depth.js";
import { withHardwareSqrt } from "./wasm2c-sqrt.js";

/**
 * The defines and flags the rewritten C is compiled with, beside -ffp-contract=off and
 * -fno-strict-aliasing (tools/m4f/Makefile and tools/wasm2c/Makefile carry the same list; a test
 * checks them):
 *  - WASM_RT_MEMCHECK_SIGNAL_HANDLER=0: bounds checked in software, no MMU, no signals;
 *  - EL_STATIC_MEMORY: loads and stores address wasm-rt-static.c's array (wasm2c-bounds.ts);
 *  - -fno-math-errno: WebAssembly has no errno, so sqrt needs no library call for a negative input.
 */
export const STATIC_RUNTIME_FLAGS = ["-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", "-DEL_STATIC_MEMORY", "-fno-math-errno"];

/** learner.c (wasm2c 1.0.32's output for the module `wasm`) as the build compiles it. */
export function rewriteWasm2c(generatedC: string, wasm: Uint8Array): string {
  return withCallDepthBound(withHardwareSqrt(withBitAbs(withBoundsCheck32(generatedC))), wasm);
}
