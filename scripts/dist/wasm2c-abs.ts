// wasm2c's f32.abs and f64.abs, rewritten as the bit operation they are.
//
// wasm2c 1.0.32 defines wasm_fabsf/wasm_fabs with a branch: isnan(x) clears the sign bit through an
// integer copy (a NaN keeps its payload, as WebAssembly requires), anything else goes to libm's
// fabsf/fabs. WebAssembly's abs is defined on the bits for every input: the same value with the
// sign bit cleared. So clearing bit 31 (bit 63) is exactly f32.abs (f64.abs) for all inputs, NaNs
// and their payloads included, and needs no isnan test and no branch.
// Where the value lives in an FPU register (an Arm FPU of that precision: __ARM_FP bit 2 for f32,
// bit 3 for f64; x86 SSE), GCC and Clang lower __builtin_fabsf/__builtin_fabs to that clear in the
// FPU: VABS (a sign-bit clear: no NaN processing, no flush to zero, FPSCR untouched) or ANDPS.
// Written through an integer copy instead, a Cortex-M4F moves the value to a core register and
// back: three instructions for VABS's one. Elsewhere (soft float, where the builtin measured 80
// instructions more per learn_one on a Cortex-M3; other compilers) the integer copy stays.
// Both bodies must be found verbatim, or the build stops (a newer wabt needs a new look).

import { inFpu, replaceOnce } from "./wasm2c-fpu.js";

const F32_ABS = `static float wasm_fabsf(float x) {
  if (UNLIKELY(isnan(x))) {
    uint32_t tmp;
    memcpy(&tmp, &x, 4);
    tmp = tmp & ~(1 << 31);
    memcpy(&x, &tmp, 4);
    return x;
  }
  return fabsf(x);
}
`;
const F64_ABS = `static double wasm_fabs(double x) {
  if (UNLIKELY(isnan(x))) {
    uint64_t tmp;
    memcpy(&tmp, &x, 8);
    tmp = tmp & ~(1ll << 63);
    memcpy(&x, &tmp, 8);
    return x;
  }
  return fabs(x);
}
`;

/** wasm_fabsf/wasm_fabs as the sign-bit clear: the FPU's where one holds the value, else through an integer copy. */
function bitAbs(name: string, ctype: "float" | "double", bits: 32 | 64): string {
  const [builtin, utype, mask] = bits === 32 ? ["__builtin_fabsf", "uint32_t", "0x7fffffffu"] : ["__builtin_fabs", "uint64_t", "0x7fffffffffffffffull"];
  return `/* f${bits}.abs: the sign bit cleared, for every input (rewritten by scripts/dist/wasm2c-abs.ts). */
static ${ctype} ${name}(${ctype} x) {
#if ${inFpu(bits)}
  return ${builtin}(x);
#else
  ${utype} tmp;
  memcpy(&tmp, &x, ${bits / 8});
  tmp &= ${mask};
  memcpy(&x, &tmp, ${bits / 8});
  return x;
#endif
}
`;
}

/** learner.c (wasm2c's output) with f32.abs and f64.abs as a clear of the sign bit; throws when wasm2c's text is not as expected. */
export function withBitAbs(generatedC: string): string {
  const f32 = replaceOnce(generatedC, F32_ABS, bitAbs("wasm_fabsf", "float", 32), "scripts/dist/wasm2c-abs.ts");
  return replaceOnce(f32, F64_ABS, bitAbs("wasm_fabs", "double", 64), "scripts/dist/wasm2c-abs.ts");
}
