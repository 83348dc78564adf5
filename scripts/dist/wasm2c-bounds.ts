// wasm2c's loads and stores, rewritten so that their bounds check is done in 32-bit arithmetic.
//
// wasm2c 1.0.32 (Debian's wabt) calls every load and store as `i32_load(&mem, (u64)(addr) + k)`:
// the effective address is formed in 64 bits and checked as `ea + len > size` in 64 bits. On a
// 32-bit core that is an add with carry, the carry materialized into a register and a two-word
// compare per access; a learn_one makes ~650 of them. The generated C offers no hook for this
// (RANGE_CHECK and MEMCHECK are defined unconditionally, and the only alternative it selects is no
// check at all, with guard pages), and the address reaches the check already summed with the
// static offset, so no macro can see the two apart. So the build rewrites the generated C:
//  - each `NAME(&instance->MEM, (u64)(a) + k` becomes `NAME_k(&instance->MEM, a, k`, defined
//    below next to wasm2c's own loads and stores;
//  - the instance refuses, at instantiation, a memory smaller than EL_REACH: the largest k + len
//    of any call site (a few hundred bytes for the learner; every wasm memory of one page or more
//    has it, only a runtime that backs less than a page, as tools/wasm2c/wasm-rt-static.c may,
//    can fall below it).
//  - compiled with -DEL_STATIC_MEMORY (with tools/wasm2c/wasm-rt-static.c, whose one memory is
//    the array el_memory_bytes of EL_MEMORY_BYTES bytes), those functions address that array and
//    check against the compile-time EL_MEMORY_BYTES instead of reading mem->data and mem->size:
//    with -fno-strict-aliasing every store through mem->data could change the instance, so gcc
//    reloads both from it after each store (2-3 instructions per access). The instance traps at
//    instantiation unless its memory is that array and its size that constant, and the runtime
//    never grows it, so the constant is the memory's real size at every access.
//  - the loads have no `wasm_asm("" ::"r"(result))`: wasm2c forces every loaded value into a core
//    register so that, with guard pages, an out-of-bounds read is really made and faults. Here the
//    check above it traps first, whatever becomes of the read, so the barrier only cost a transfer
//    from the FPU for each f32 load (and kept dead loads).
// Every call site must match, and the memory be allocated once, or the build stops (a newer wabt
// needs a new look); memory.fill/copy and the data segments keep wasm2c's own check.

/*
 * The static memory's fast path for floats (EL_FAST_FLOATS). With EL_STATIC_MEMORY the size is
 * the constant S = EL_MEMORY_BYTES. An access of len bytes at a + k (k + len <= EL_REACH, as at
 * every site the reach counts) is in range whenever a <= S - EL_REACH, whatever k is: one compare
 * of a against a constant decides every such access made through a, and the C compiler, seeing
 * the same test of the same a, makes it once for all the float fields of a record (wasm's exact
 * check is three instructions per access on a Cortex-M4F: load the bound, compare, branch). The
 * bound is rounded down to a value an Arm compare takes as an immediate (EL_TOP8), which spares
 * loading it. The fast path also requires a to be a multiple of 4 (with k one too), so a + k is
 * word-aligned and the compiler may use the FPU's own load and store: VLDR/VSTR fault on an
 * unaligned address and the core's LDR does not, so a float that may be unaligned is an LDR and
 * a transfer to the FPU, two instructions for one. Both conditions are one test: rotating a
 * right by 2 moves its low two bits to the top, so ror(a, 2) < B / 4 holds iff a is a multiple of
 * 4 and a < B. Every other float access (near the top of the memory, past it, unaligned, a site
 * beyond the reach) calls the slow path, which makes wasm's exact check (el_oob) and traps or
 * accesses through memcpy: the same results and the same traps, only the common case shorter.
 * Measured on the learner (node build/test/conformance/m4f.js measure): 3,228 -> 2,957
 * instructions per learn_one, for ~8 KB more flash (a call to the slow path per float site),
 * which is why it is on only for an FPU target: a soft-float core gains ~0.1 % and would pay the
 * flash. Integer accesses keep the exact check (a fast path for them too: 20 instructions fewer,
 * 4 KB more flash).
 */

/** The last of wasm2c's load/store definitions: the 32-bit variants go after it. */
const AFTER = "DEFINE_STORE(i64_store32, u32, u64)\n";
/** A static offset + width beyond one page takes the general check (see el_oob). */
const PAGE = 65536;

/**
 * Why EL_OOB is exactly wasm's rule. An access of len bytes at a + k (a and k u32) is valid iff
 * a + k + len <= size, computed without wrapping (size: wasm_rt_memory_t's uint32_t).
 *  - Sites with k + len <= EL_REACH (all of the learner's): size >= EL_REACH >= k + len, as the
 *    instance checked when it allocated the memory and a memory never shrinks. So size - (k + len)
 *    does not wrap, and a + k + len <= size iff a <= size - (k + len): one subtract and one compare,
 *    and no carry to test, since a itself is never summed. (Address + offset past 4 GiB, e.g.
 *    0xFFFFFFF0 + 16, is an a above size - (k + len): it traps.)
 *  - Other sites (a static offset near 4 GiB): k + len > UINT32_MAX traps (the end is past any
 *    u32 size); otherwise a carry out of a + (k + len) is an end past 4 GiB and traps; otherwise the
 *    32-bit sum is the exact end, valid iff end <= size.
 * k and len are constants at every call site, so the choice between the two folds away.
 * After the check a + k <= size - len, so the index a + k does not wrap either.
 */
const definitions = (reach: number): string => `
/* Loads and stores with a 32-bit bounds check (edgelearn's build rewrote wasm2c's call sites;
 * the reasoning is in scripts/dist/wasm2c-bounds.ts): trap unless a + k + len <= mem->size.
 * EL_REACH is the largest k + len of the module's call sites; the instance traps at
 * instantiation when its memory is smaller, so for those sites size - (k + len) cannot wrap. */
#if WABT_BIG_ENDIAN
#error "the 32-bit load/store rewrite is written for little-endian targets"
#endif
#define EL_REACH ${reach}u
static inline int el_oob(uint32_t a, uint32_t k, uint32_t len, uint32_t size) {
  uint32_t end;
  if (len <= EL_REACH && k <= EL_REACH - len) return a > size - (k + len);
  return k > UINT32_MAX - len || __builtin_add_overflow(a, k + len, &end) || end > size;
}
/* EL_STATIC_MEMORY: the one memory is wasm-rt-static.c's array el_memory_bytes, its size
 * EL_MEMORY_BYTES (the instance traps at instantiation otherwise), so neither is read back from
 * the instance. */
#ifdef EL_STATIC_MEMORY
#ifndef EL_MEMORY_BYTES
#define EL_MEMORY_BYTES 65536u
#endif
extern uint8_t el_memory_bytes[];
#define EL_MEM_DATA(mem) ((void)(mem), el_memory_bytes)
#define EL_MEM_SIZE(mem) ((void)(mem), (uint32_t)(EL_MEMORY_BYTES))
#else
#define EL_MEM_DATA(mem) ((mem)->data)
#define EL_MEM_SIZE(mem) ((mem)->size)
#endif
/* EL_FAST_FLOATS (static memory only; on by default where the compiler targets an Arm FPU): f32
 * and f64 accesses take a fast path decided by the address a alone (the reasoning is in
 * scripts/dist/wasm2c-bounds.ts, "The static memory's fast path for floats"), any other goes to
 * an out-of-line slow path: wasm's exact check, then the access. -DEL_FAST_FLOATS=0 trades the
 * speed for flash (about 8 KB less on a Cortex-M4F). */
#ifndef EL_FAST_FLOATS
#if defined(EL_STATIC_MEMORY) && defined(__ARM_FP) && (defined(__GNUC__) || defined(__clang__))
#define EL_FAST_FLOATS 1
#else
#define EL_FAST_FLOATS 0
#endif
#endif
#if EL_FAST_FLOATS && !defined(EL_STATIC_MEMORY)
#error "EL_FAST_FLOATS needs EL_STATIC_MEMORY"
#endif
#if EL_FAST_FLOATS
/* x with all but its 8 highest significant bits cleared (x < 2^16): an Arm immediate. */
#define EL_TOP8(x) ((x) >= 0x8000u ? (x) & ~0xFFu : (x) >= 0x4000u ? (x) & ~0x7Fu : \\
  (x) >= 0x2000u ? (x) & ~0x3Fu : (x) >= 0x1000u ? (x) & ~0x1Fu : (x) >= 0x800u ? (x) & ~0xFu : \\
  (x) >= 0x400u ? (x) & ~7u : (x) >= 0x200u ? (x) & ~3u : (x) >= 0x100u ? (x) & ~1u : (x))
/* a / 4 below this leaves EL_REACH bytes of the memory after a. */
#define EL_FAST4 ((uint32_t)(EL_MEMORY_BYTES) >= EL_REACH ? EL_TOP8(((uint32_t)(EL_MEMORY_BYTES) - EL_REACH) / 4u) : 0u)
#define EL_SLOW __attribute__((noinline, cold))
#define EL_WORD(p) __builtin_assume_aligned((p), 4)
/* a + k is word-aligned and a + k + len inside the memory (k, len constants at each site). */
static inline int el_fast(uint32_t a, uint32_t k, uint32_t len) {
  if (len > EL_REACH || k > EL_REACH - len || k % 4u != 0u) return 0;
  return ((a >> 2) | (a << 30)) < EL_FAST4;
}
/* A float access: the fast path, else name##_slow, the exact check and access out of line (the
 * memory is the static one, so no instance pointer is needed). */
#define EL_DEFINE_LOAD_FP(name, t1, t2, t3)                              \\
  static EL_SLOW t3 name##_slow(u32 a, u32 k) { EL_EXACT_LOAD(t1, t2, t3, 0) } \\
  static inline t3 name##_k(wasm_rt_memory_t* mem, u32 a, u32 k) {      \\
    (void)mem;                                                           \\
    if (UNLIKELY(!el_fast(a, k, sizeof(t1)))) return name##_slow(a, k);  \\
    t1 result;                                                           \\
    wasm_rt_memcpy(&result, EL_WORD(&el_memory_bytes[a + k]), sizeof(t1)); \\
    return (t3)(t2)result;                                               \\
  }
#define EL_DEFINE_STORE_FP(name, t1, t2)                                 \\
  static EL_SLOW void name##_slow(u32 a, u32 k, t2 value) { EL_EXACT_STORE(t1, 0) } \\
  static inline void name##_k(wasm_rt_memory_t* mem, u32 a, u32 k, t2 value) { \\
    (void)mem;                                                           \\
    if (UNLIKELY(!el_fast(a, k, sizeof(t1)))) {                          \\
      name##_slow(a, k, value);                                          \\
      return;                                                            \\
    }                                                                    \\
    t1 wrapped = (t1)value;                                              \\
    wasm_rt_memcpy(EL_WORD(&el_memory_bytes[a + k]), &wrapped, sizeof(t1)); \\
  }
#else
#define EL_DEFINE_LOAD_FP EL_DEFINE_LOAD
#define EL_DEFINE_STORE_FP EL_DEFINE_STORE
#endif
/* wasm's exact check and the access, as the body of a function of (mem, a, k[, value]): every
 * access but the floats' fast path, whose slow path it is too. */
#define EL_EXACT_LOAD(t1, t2, t3, mem)                                   \\
  if (UNLIKELY(el_oob(a, k, sizeof(t1), EL_MEM_SIZE(mem)))) TRAP(OOB);   \\
  t1 result;                                                             \\
  wasm_rt_memcpy(&result, &EL_MEM_DATA(mem)[a + k], sizeof(t1));         \\
  return (t3)(t2)result;
#define EL_EXACT_STORE(t1, mem)                                          \\
  if (UNLIKELY(el_oob(a, k, sizeof(t1), EL_MEM_SIZE(mem)))) TRAP(OOB);   \\
  t1 wrapped = (t1)value;                                                \\
  wasm_rt_memcpy(&EL_MEM_DATA(mem)[a + k], &wrapped, sizeof(t1));
#define EL_DEFINE_LOAD(name, t1, t2, t3)                                 \\
  static inline t3 name##_k(wasm_rt_memory_t* mem, u32 a, u32 k) { EL_EXACT_LOAD(t1, t2, t3, mem) }
#define EL_DEFINE_STORE(name, t1, t2)                                    \\
  static inline void name##_k(wasm_rt_memory_t* mem, u32 a, u32 k, t2 value) { EL_EXACT_STORE(t1, mem) }
`;

const BYTES: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, f32: 4, u64: 8, s64: 8, f64: 8 };
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
const WIDTH = new Map([...LOADS, ...STORES].map((f) => [f[0], BYTES[f[1]]]));
const NAMES = [...WIDTH.keys()].join("|");
/** A call site: `f32_load(&instance->w2c_memory, (u64)(w2c_i0) + 16u` (or `+ 16`, or no `+ k`). */
const CALL = new RegExp(`\\b(${NAMES})\\(&instance->(w2c_\\w+), \\(u64\\)\\((w2c_\\w+)\\)(?: \\+ (\\d+)u?)?`, "g");
/** Any call of them on a memory, matched or not (to prove every one was rewritten). */
const ANY_CALL = new RegExp(`\\b(${NAMES})\\(&instance->`, "g");
/** The memory's allocation in init_memories. */
const ALLOCATE = /^( *)wasm_rt_allocate_memory\(&instance->(w2c_\w+), \d+, \d+\);\n/gm;

function fail(what: string): never {
  throw new Error(`${what}: a wabt other than 1.0.32? See scripts/dist/wasm2c-bounds.ts`);
}

/** learner.c (wasm2c's output) with every load and store bounds checked in 32 bits; throws when the code is not as expected. */
export function withBoundsCheck32(generatedC: string): string {
  const at = generatedC.indexOf(AFTER);
  if (at < 0) fail(`wasm2c's "${AFTER.trim()}" not found`);
  const allocations = [...generatedC.matchAll(ALLOCATE)];
  if (allocations.length !== 1) fail(`${allocations.length} memory allocations, expected 1`);
  const memory = allocations[0][2];
  const calls = generatedC.match(ANY_CALL)?.length ?? 0;
  let rewritten = 0;
  let reach = 8;
  let body = generatedC.slice(at + AFTER.length).replace(CALL, (m, name: string, mem: string, addr: string, k?: string) => {
    if (mem !== memory) return m; // counted as not rewritten below
    rewritten++;
    const end = Number(k ?? 0) + (WIDTH.get(name) ?? fail(name));
    if (end <= PAGE) reach = Math.max(reach, end);
    return `${name}_k(&instance->${mem}, ${addr}, ${k ?? 0}u`;
  });
  if (rewritten !== calls) fail(`load/store call sites: ${rewritten} of ${calls} matched`);
  body = body.replace(ALLOCATE, (line, indent: string) =>
    `${line}${indent}if (instance->${memory}.size < EL_REACH) TRAP(OOB); /* see EL_REACH */\n` +
    `#ifdef EL_STATIC_MEMORY\n` +
    `${indent}if (instance->${memory}.data != el_memory_bytes || instance->${memory}.size != EL_MEMORY_BYTES) TRAP(OOB); /* see EL_STATIC_MEMORY */\n` +
    `#if EL_FAST_FLOATS\n` +
    `${indent}if ((uintptr_t)el_memory_bytes % 4u != 0) TRAP(OOB); /* the fast path's aligned a + k is aligned in the array */\n` +
    `#endif\n` +
    `#endif\n`);
  const fp = (t: string) => (t === "f32" || t === "f64" ? "_FP" : "");
  const defs = definitions(reach) + [...LOADS.map((l) => `EL_DEFINE_LOAD${fp(l[1])}(${l.join(", ")})`), ...STORES.map((s) => `EL_DEFINE_STORE${fp(s[1])}(${s.join(", ")})`)].join("\n") + "\n";
  return generatedC.slice(0, at + AFTER.length) + defs + body;
}
