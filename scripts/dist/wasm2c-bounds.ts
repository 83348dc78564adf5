// wasm2c's loads and stores, rewritten so that their bounds check is done in 32-bit arithmetic.
//
// wasm2c 1.0.32 (Debian's wabt) calls every load and store as `i32_load(&mem, (u64)(addr) + k)`:
// the effective address is formed in 64 bits and checked as `ea + len > size` in 64 bits. On a
// 32-bit core that is an add with carry, a carry materialized into a register and a two-word
// compare per access; a learn_one makes ~650 of them. The generated C offers no hook for this
// (RANGE_CHECK and MEMCHECK are defined unconditionally, and only a check-free build with guard
// pages is selectable), and the 64-bit address reaches the check already summed, so no macro can
// see the address and the static offset apart. So the build rewrites the generated learner.c:
// each `NAME(&instance->w2c_memory, (u64)(a) + k` becomes `NAME_k(&instance->w2c_memory, a, k`,
// and NAME_k (defined below, next to wasm2c's own) checks a + k + len <= size with 32-bit adds
// whose carry is the overflow test. Every call site must match, or the build stops (a newer wabt
// needs a new look); memory.fill/copy and data segments keep wasm2c's own check.

/** The last of wasm2c's load/store definitions: the 32-bit variants go after it. */
const AFTER = "DEFINE_STORE(i64_store32, u32, u64)\n";

/**
 * Why EL_OOB is exactly wasm's rule (an access of len bytes at a + k, a and k u32, is valid iff
 * a + k + len <= size, computed without wrapping; size is wasm_rt_memory_t's uint32_t):
 *  - k + len > UINT32_MAX: the end is past 4 GiB, above any size: trap. (k and len are
 *    constants at every call site, so this folds away.)
 *  - otherwise k + len fits 32 bits; a + (k + len) carrying out of 32 bits (address + offset
 *    overflowing, e.g. 0xFFFFFFF0 + 16) means an end past 4 GiB: trap;
 *  - otherwise the 32-bit sum is the exact end, valid iff end <= size.
 * After the check a + k <= size - len, so the index a + k does not wrap either.
 */
const DEFINITIONS = `
/* Loads and stores with a 32-bit bounds check (edgelearn's build rewrote wasm2c's call sites;
 * the reasoning is in scripts/dist/wasm2c-bounds.ts): trap unless a + k + len <= mem->size,
 * where a carry out of a + (k + len) is an end past 4 GiB, so it traps too. */
#if WABT_BIG_ENDIAN
#error "the 32-bit load/store rewrite is written for little-endian targets"
#endif
static inline int el_oob(uint32_t a, uint32_t k, uint32_t len, uint32_t size) {
  uint32_t end;
  return k > UINT32_MAX - len || __builtin_add_overflow(a, k + len, &end) || end > size;
}
#define EL_DEFINE_LOAD(name, t1, t2, t3)                                 \\
  static inline t3 name##_k(wasm_rt_memory_t* mem, u32 a, u32 k) {      \\
    if (UNLIKELY(el_oob(a, k, sizeof(t1), mem->size))) TRAP(OOB);        \\
    t1 result;                                                           \\
    wasm_rt_memcpy(&result, &mem->data[a + k], sizeof(t1));              \\
    wasm_asm("" ::"r"(result));                                          \\
    return (t3)(t2)result;                                               \\
  }
#define EL_DEFINE_STORE(name, t1, t2)                                    \\
  static inline void name##_k(wasm_rt_memory_t* mem, u32 a, u32 k, t2 value) { \\
    if (UNLIKELY(el_oob(a, k, sizeof(t1), mem->size))) TRAP(OOB);        \\
    t1 wrapped = (t1)value;                                              \\
    wasm_rt_memcpy(&mem->data[a + k], &wrapped, sizeof(t1));             \\
  }
`;

/** wasm2c's load/store functions: name, stored type, intermediate type, result/value type. */
const LOADS: [string, string, string, string][] = [
  ["i32_load", "u32", "u32", "u32"], ["i64_load", "u64", "u64", "u64"], ["f32_load", "f32", "f32", "f32"],
  ["f64_load", "f64", "f64", "f64"], ["i32_load8_s", "s8", "s32", "u32"], ["i64_load8_s", "s8", "s64", "u64"],
  ["i32_load8_u", "u8", "u32", "u32"], ["i64_load8_u", "u8", "u64", "u64"], ["i32_load16_s", "s16", "s32", "u32"],
  ["i64_load16_s", "s16", "s64", "u64"], ["i32_load16_u", "u16", "u32", "u32"], ["i64_load16_u", "u16", "u64", "u64"],
  ["i64_load32_s", "s32", "s64", "u64"], ["i64_load32_u", "u32", "u64", "u64"],
];
const STORES: [string, string, string][] = [
  ["i32_store", "u32", "u32"], ["i64_store", "u64", "u64"], ["f32_store", "f32", "f32"], ["f64_store", "f64", "f64"],
  ["i32_store8", "u8", "u32"], ["i32_store16", "u16", "u32"], ["i64_store8", "u8", "u64"], ["i64_store16", "u16", "u64"],
  ["i64_store32", "u32", "u64"],
];
const NAMES = [...LOADS.map((l) => l[0]), ...STORES.map((s) => s[0])].join("|");
/** A call site: `f32_load(&instance->w2c_memory, (u64)(w2c_i0) + 16u` or without `+ k`. */
const CALL = new RegExp(`\\b(${NAMES})\\((&instance->w2c_\\w+), \\(u64\\)\\((w2c_\\w+)\\)(?: \\+ (\\d+)u?)?`, "g");
/** Any call of them on a memory, matched or not (to prove every one was rewritten). */
const ANY_CALL = new RegExp(`\\b(${NAMES})\\(&instance->`, "g");

/** learner.c (wasm2c's output) with every load and store bounds checked in 32 bits; throws when a call site does not match. */
export function withBoundsCheck32(generatedC: string): string {
  const at = generatedC.indexOf(AFTER);
  if (at < 0) throw new Error(`wasm2c's "${AFTER.trim()}" not found: a wabt other than 1.0.32? See scripts/dist/wasm2c-bounds.ts`);
  const calls = generatedC.match(ANY_CALL)?.length ?? 0;
  let rewritten = 0;
  const body = generatedC.slice(at + AFTER.length).replace(CALL, (_m, name: string, mem: string, addr: string, k?: string) => {
    rewritten++;
    return `${name}_k(${mem}, ${addr}, ${k ?? 0}u`;
  });
  if (rewritten !== calls) throw new Error(`wasm2c load/store call sites: ${rewritten} of ${calls} matched; see scripts/dist/wasm2c-bounds.ts`);
  const defs = DEFINITIONS + [...LOADS.map((l) => `EL_DEFINE_LOAD(${l.join(", ")})`), ...STORES.map((s) => `EL_DEFINE_STORE(${s.join(", ")})`)].join("\n") + "\n";
  return generatedC.slice(0, at + AFTER.length) + defs + body;
}
