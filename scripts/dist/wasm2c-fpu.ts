// What the rewrites of wasm2c's float helpers share (wasm2c-abs.ts, wasm2c-sqrt.ts): when a float of
// a width lives in an FPU register, and the one way they replace wasm2c's text.

/**
 * The C preprocessor condition under which a float of `bits` lives in an FPU register and
 * GCC/Clang's builtins become that FPU's instruction: an Arm FPU of that precision (__ARM_FP bit
 * 2 for single, 3 for double) or x86 SSE. Elsewhere (soft float, other compilers) the rewrites
 * keep an integer or library form.
 */
export function inFpu(bits: 32 | 64): string {
  const arm = bits === 32 ? "(__ARM_FP & 4)" : "(__ARM_FP & 8)";
  const sse = bits === 32 ? "__SSE__" : "__SSE2__";
  return `(defined(__GNUC__) || defined(__clang__)) && \\
    ((defined(__ARM_FP) && ${arm}) || defined(${sse}) || defined(__x86_64__))`;
}

/** c with `from` (a definition of wasm2c's, found exactly once) replaced by `to`; throws otherwise
 * (a wabt other than 1.0.32 needs a new look; `file` is the rewrite to see). */
export function replaceOnce(c: string, from: string, to: string, file: string): string {
  const at = c.indexOf(from);
  if (at < 0 || c.indexOf(from, at + 1) >= 0)
    throw new Error(`wasm2c's ${from.split("(")[0].replace("static ", "").trim().split(" ").pop()} not found once: a wabt other than 1.0.32? See ${file}`);
  return c.slice(0, at) + to + c.slice(at + from.length);
}
