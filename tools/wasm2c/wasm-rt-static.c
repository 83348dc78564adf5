/*
 * A static-memory wasm2c runtime (wabt 1.0.32 API) for a module with exactly one memory of
 * at most EL_MEMORY_BYTES and no tables that grow: no mmap, no malloc, no signals.
 * Bounds are checked in software (build the generated code with
 * -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0). A trap longjmps to the embedder's el_trap_target when
 * one is armed, and otherwise calls el_trap_halt (the embedder decides: exit, or halt the MCU).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wasm-rt.h"

#ifndef EL_MEMORY_BYTES
#define EL_MEMORY_BYTES 65536u
#endif
#ifndef EL_MAX_FUNC_TYPES
#define EL_MAX_FUNC_TYPES 48
#endif
#ifndef EL_MAX_SIG
#define EL_MAX_SIG 24 /* params + results of the largest function type */
#endif

/* Not static: the translated module compiled with -DEL_STATIC_MEMORY addresses this array and
 * EL_MEMORY_BYTES directly (scripts/dist/wasm2c-bounds.ts); it checks at instantiation that its
 * memory is this array, of this size. */
uint8_t el_memory_bytes[EL_MEMORY_BYTES] __attribute__((aligned(16)));
static bool el_memory_taken;
static bool el_initialized;

jmp_buf* el_trap_target;
volatile wasm_rt_trap_t el_last_trap;
void el_trap_halt(wasm_rt_trap_t code);

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

void wasm_rt_init(void) { el_initialized = true; }
bool wasm_rt_is_initialized(void) { return el_initialized; }
void wasm_rt_free(void) { el_initialized = false; }

void wasm_rt_trap(wasm_rt_trap_t code) {
  el_last_trap = code;
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = 0;
#endif
  if (el_trap_target) longjmp(*el_trap_target, 1);
  el_trap_halt(code);
  for (;;) {
  }
}

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no error";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable";
    case WASM_RT_TRAP_CALL_INDIRECT: return "call_indirect type mismatch";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "trap";
  }
}

/* Function types are only compared (call_indirect): keep each distinct one in a small table. */
static struct {
  uint8_t np, nr;
  uint8_t t[EL_MAX_SIG];
} el_types[EL_MAX_FUNC_TYPES];
static uint32_t el_ntypes;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint8_t t[EL_MAX_SIG] = {0};
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) {
    int v = va_arg(ap, int); /* wasm_rt_type_t, promoted to int */
    if (i < EL_MAX_SIG) t[i] = (uint8_t)v;
  }
  va_end(ap);
  if (params + results > EL_MAX_SIG) el_trap_halt(WASM_RT_TRAP_CALL_INDIRECT); /* raise EL_MAX_SIG */
  for (uint32_t i = 0; i < el_ntypes; i++)
    if (el_types[i].np == params && el_types[i].nr == results && memcmp(el_types[i].t, t, sizeof t) == 0) return i + 1;
  if (el_ntypes == EL_MAX_FUNC_TYPES) el_trap_halt(WASM_RT_TRAP_CALL_INDIRECT); /* raise EL_MAX_FUNC_TYPES */
  el_types[el_ntypes].np = (uint8_t)params;
  el_types[el_ntypes].nr = (uint8_t)results;
  memcpy(el_types[el_ntypes].t, t, sizeof t);
  return ++el_ntypes;
}

/* The bytes of linear memory backed here (the replay engine checks its writes against them). */
const uint32_t el_memory_backed = EL_MEMORY_BYTES;

/*
 * EL_MEMORY_BYTES below one page backs only the first EL_MEMORY_BYTES of the module's one page:
 * for a module built to use no address above them (the small-RAM build). The generated code
 * checks every access against m->size, so any access above them traps as out of bounds. (The
 * build's 32-bit check, scripts/dist/wasm2c-bounds.ts, also needs m->size at least the module's
 * largest static offset + 8 bytes, EL_REACH; the translated module refuses a smaller memory.)
 */
void wasm_rt_allocate_memory(wasm_rt_memory_t* m, uint32_t initial_pages, uint32_t max_pages) {
  uint64_t bytes = (uint64_t)initial_pages * 65536u;
  if (EL_MEMORY_BYTES < 65536u && initial_pages == 1) bytes = EL_MEMORY_BYTES;
  if (el_memory_taken || bytes > EL_MEMORY_BYTES) wasm_rt_trap(WASM_RT_TRAP_OOB);
  el_memory_taken = true;
  memset(el_memory_bytes, 0, sizeof el_memory_bytes);
  m->data = el_memory_bytes;
  m->pages = initial_pages;
  m->max_pages = max_pages;
  m->size = (uint32_t)bytes;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* m, uint32_t delta) {
  (void)m;
  return delta == 0 ? m->pages : UINT32_MAX; /* the learner never grows its memory */
}

void wasm_rt_free_memory(wasm_rt_memory_t* m) {
  m->data = NULL;
  m->size = 0;
  el_memory_taken = false;
}

/* Tables (a module with call_indirect has one small funcref table): a static pool. */
#ifndef EL_TABLE_SLOTS
#define EL_TABLE_SLOTS 64
#endif
static wasm_rt_funcref_t el_table_slots[EL_TABLE_SLOTS];

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* t, uint32_t elements, uint32_t max_elements) {
  if (elements > EL_TABLE_SLOTS) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memset(el_table_slots, 0, sizeof el_table_slots);
  t->data = el_table_slots;
  t->size = elements;
  t->max_size = max_elements;
}
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* t) { t->data = NULL; t->size = 0; }
