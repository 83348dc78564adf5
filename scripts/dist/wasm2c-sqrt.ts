// wasm2c's f32.sqrt, rewritten as the FPU instruction where the FPU already does what wasm2c's
// wrapper does.
//
// wasm2c 1.0.32 defines wasm_sqrtf with a branch: a NaN input returns the same NaN with its quiet
// bit set (quiet_nanf: sign and payload kept), anything else goes to libm's sqrtf. With
// -fno-math-errno that sqrtf is the hardware square root, so the branch only stands in for the
// hardware's own NaN rule. Where the hardware's rule is that one, the branch is a compare, a flag
// transfer and a branch per square root (three instructions of a Cortex-M4F's four):
//  - Arm VSQRT.F32 (FPv4-SP and later; __ARM_FP bit 2): a NaN operand gives that NaN quieted, sign
//    and payload kept (FPProcessNaN with FPSCR.DN = 0, the reset value, which every other float
//    instruction of the translation relies on as well); a negative number gives the default NaN,
//    as libm's sqrtf does on the same FPU.
//  - x86 SQRTSS (SSE): a NaN operand gives that NaN quieted; a negative number gives the "real
//    indefinite" NaN, as libm's sqrtf does there.
// Elsewhere (soft float, other compilers) the wrapper stays as wasm2c wrote it. f64.sqrt is left
// alone: the Cortex-M4F has no double-precision FPU and the learner takes no f64 square roots.
// The body must be found verbatim, or the build stops (a newer wabt needs a new look).

import { inFpu, replaceOnce } from "./wasm2c-fpu.js";

const F32_SQRT = `static float wasm_sqrtf(float x) {
  if (UNLIKELY(isnan(x))) {
    return quiet_nanf(x);
  }
  return sqrtf(x);
}
`;

const F32_HARDWARE = `/* f32.sqrt: the FPU's square root where its NaN rule is wasm2c's (scripts/dist/wasm2c-sqrt.ts). */
static float wasm_sqrtf(float x) {
#if ${inFpu(32)}
  return __builtin_sqrtf(x);
#else
  if (UNLIKELY(isnan(x))) {
    return quiet_nanf(x);
  }
  return sqrtf(x);
#endif
}
`;

/** learner.c (wasm2c's output) with f32.sqrt as the FPU's instruction where it is exact; throws when wasm2c's text is not as expected. */
export function withHardwareSqrt(generatedC: string): string {
  return replaceOnce(generatedC, F32_SQRT, F32_HARDWARE, "scripts/dist/wasm2c-sqrt.ts");
}
