/*
 * The replay engine's runtime interface (el_call, el_instantiate ...) over the wasm3 interpreter,
 * so that tools/wasm2c/el_replay.c replays the vectors through wasm3 running on the Cortex-M4F
 * itself, loading build/learner.wasm unchanged from flash. wasm3's sources come from the
 * pywasm3 sdist on PyPI at build time (see the Makefile); none are kept in this repository.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include "el_replay.h"
#include "wasm-rt.h"
#include "wasm3.h"

extern const uint8_t el_wasm[];
extern const uint32_t el_wasm_len;
extern jmp_buf* el_trap_target;
extern volatile wasm_rt_trap_t el_last_trap;
void el_exit(int code);

#define EL_W3_STACK (16 * 1024)
#define EL_W3_MAX_EXPORTS 64

static IM3Environment env;
static IM3Runtime runtime;
static IM3Function fns[EL_W3_MAX_EXPORTS];

static void fatal(const char* what, M3Result r) {
  el_puts("{\"error\": \"wasm3: ");
  el_puts(what);
  el_puts(": ");
  el_puts(r ? r : "?");
  el_puts("\"}\n");
  el_exit(5);
}

void el_init_module(void) {
  env = m3_NewEnvironment();
  if (!env) fatal("environment", "out of memory");
}
unsigned el_instance_size(void) { return 8; }

void el_instantiate(void* inst) {
  (void)inst;
  IM3Module module;
  runtime = m3_NewRuntime(env, EL_W3_STACK, NULL);
  if (!runtime) fatal("runtime", "out of memory");
  M3Result r = m3_ParseModule(env, &module, el_wasm, el_wasm_len);
  if (r) fatal("parse", r);
  r = m3_LoadModule(runtime, module);
  if (r) fatal("load", r);
  memset(fns, 0, sizeof fns);
}

void el_free(void* inst) {
  (void)inst;
  m3_FreeRuntime(runtime);
  runtime = NULL;
}

uint8_t* el_memory(void* inst) {
  (void)inst;
  uint32_t size;
  return m3_GetMemory(runtime, &size, 0);
}

/* A call that fails in wasm3 (a trap) unwinds like a wasm2c trap: through the replay's guard. */
static void trap(void) {
  el_last_trap = WASM_RT_TRAP_UNREACHABLE;
  if (el_trap_target) longjmp(*el_trap_target, 1);
  fatal("trap outside a guarded call", "");
}

uint32_t el_call(void* inst, unsigned idx, const uint32_t* args) {
  (void)inst;
  if (idx >= EL_W3_MAX_EXPORTS || idx >= el_export_count) trap();
  if (!fns[idx] && m3_FindFunction(&fns[idx], runtime, el_export_names[idx])) trap();
  IM3Function f = fns[idx];
  const void* argp[8];
  uint32_t argc = m3_GetArgCount(f);
  if (argc > 8) trap();
  for (uint32_t i = 0; i < argc; i++) argp[i] = &args[i]; /* f32 and i32 both as their 4 bytes */
  if (m3_Call(f, argc, argp)) trap();
  uint32_t ret = 0;
  if (m3_GetRetCount(f)) {
    const void* retp[1] = {&ret};
    if (m3_GetResults(f, 1, retp)) trap();
  }
  return ret;
}

/* newlib's malloc grows the heap through _sbrk: from the end of .bss up to the stack. */
extern uint8_t _heap_start, _sstack;
static uint8_t* heap_top = &_heap_start;
void* _sbrk(ptrdiff_t incr) {
  uint8_t* prev = heap_top;
  if (heap_top + incr > &_sstack) {
    errno = ENOMEM;
    return (void*)-1;
  }
  heap_top += incr;
  return prev;
}
uint32_t el_heap_used(void) { return (uint32_t)(heap_top - &_heap_start); }
