// The compiler flags of the translated module, in one place: the release's libraries are built
// with them, and edgelearn.h, release.json and tools/firmware/Makefile quote them (a test checks
// the Makefile), so a user who compiles learner.c by hand uses exactly what was measured.
import { STATIC_RUNTIME_FLAGS } from "./wasm2c-rewrite.js";

/** Every build of the translated module, native or Cortex-M (see tools/wasm2c/Makefile). */
export const COMMON = ["-std=gnu11", "-O2", "-ffp-contract=off", "-fno-fast-math", "-fno-strict-aliasing", ...STATIC_RUNTIME_FLAGS];

/**
 * A Cortex-M library, beside the core's -mcpu/float ABI: sections per function and object so that
 * --gc-sections drops what a program does not call (the flash figures assume it), and NDEBUG
 * because wasm2c's asserts would pull newlib's stdio and its syscalls into the image.
 */
export const CORTEX_FLAGS = [...COMMON, "-ffunction-sections", "-fdata-sections", "-DNDEBUG"];
