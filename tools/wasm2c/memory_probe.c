/*
 * Checks the static-memory runtime's bound and the 32-bit bounds check of the translated loads
 * and stores: a one-page module (probe.wat) run with EL_MEMORY_BYTES backed bytes. Its exports
 * load the u32 at addr + a static offset: peek (offset 0), peek16 (offset 16), peekfar (offset
 * 0xfffffff0), so an address plus its offset can pass 4 GiB; poke, poke16 and pokefar store a u32
 * there; peekf*, pokef* do the same with an f32 (floats may take the fast path, EL_FAST_FLOATS).
 * Each argument is "ADDR" (peek) or "ADDR+16" / "ADDR+4294967280", prefixed with "w" for the
 * store, then "f" for the f32; for each it prints the argument and "ok" when the access
 * succeeded, or "trap oob" / "trap other" when it trapped.
 *   memory-probe 0 16172 4294967280+16 16+4294967280 w16172 w0+16 f2 wf16188
 * Built with EL_PROBE_EMBEDDED (tools/m4f/main_probe.c, a Cortex-M image under QEMU), there is no
 * main and no stdio: the caller passes the arguments and prints the lines.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

extern jmp_buf* el_trap_target;
extern volatile wasm_rt_trap_t el_last_trap;

/* Runs each argument; out gets one line per argument ("ARG ok\n", "ARG trap oob\n", ...).
 * Returns 0, or 2 for an argument it cannot read. */
int el_probe(int n, const char* const* args, void (*out)(const char* line)) {
  static Z_probe_instance_t inst;
  static char line[64];
  wasm_rt_init();
  Z_probe_init_module();
  Z_probe_instantiate(&inst);
  for (int i = 0; i < n; i++) {
    const char* arg = args[i];
    char* rest;
    int store = arg[0] == 'w';
    int fl = arg[store] == 'f';
    u32 addr = (u32)strtoul(arg + store + fl, &rest, 0);
    u32 (*peek)(Z_probe_instance_t*, u32) = fl ? Z_probeZ_peekf : Z_probeZ_peek;
    void (*poke)(Z_probe_instance_t*, u32) = fl ? Z_probeZ_pokef : Z_probeZ_poke;
    if (strcmp(rest, "+16") == 0) {
      peek = fl ? Z_probeZ_peekf16 : Z_probeZ_peek16;
      poke = fl ? Z_probeZ_pokef16 : Z_probeZ_poke16;
    } else if (strcmp(rest, "+4294967280") == 0) {
      peek = fl ? Z_probeZ_peekffar : Z_probeZ_peekfar;
      poke = fl ? Z_probeZ_pokeffar : Z_probeZ_pokefar;
    } else if (*rest || strlen(arg) > 40) {
      return 2;
    }
    const char* result = "ok";
    jmp_buf env;
    if (setjmp(env)) {
      result = el_last_trap == WASM_RT_TRAP_OOB ? "trap oob" : "trap other";
    } else {
      el_trap_target = &env;
      if (store) poke(&inst, addr);
      else (void)peek(&inst, addr);
    }
    el_trap_target = 0;
    strcpy(line, arg);
    strcat(line, " ");
    strcat(line, result);
    strcat(line, "\n");
    out(line);
  }
  Z_probe_free(&inst);
  return 0;
}

#ifndef EL_PROBE_EMBEDDED
#include <stdio.h>

void el_trap_halt(wasm_rt_trap_t code) {
  fprintf(stderr, "trap outside a guarded call: %s\n", wasm_rt_strerror(code));
  exit(3);
}

static void print_line(const char* line) { fputs(line, stdout); }

int main(int argc, char** argv) {
  int r = el_probe(argc - 1, (const char* const*)argv + 1, print_line);
  if (r == 2) fprintf(stderr, "an argument it cannot read\n");
  return r;
}
#endif
