/*
 * Checks the static-memory runtime's bound: a one-page module (probe.wat: peek(addr) loads the
 * u32 at addr) run with EL_MEMORY_BYTES backed bytes. For each address on the command line it
 * prints "ok" when the load succeeded or "trap" when it trapped as out of bounds.
 *   memory-probe 0 16172 16176 65532
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "probe.h"

extern jmp_buf* el_trap_target;
extern volatile wasm_rt_trap_t el_last_trap;
void el_trap_halt(wasm_rt_trap_t code) {
  fprintf(stderr, "trap outside a guarded call: %s\n", wasm_rt_strerror(code));
  exit(3);
}

int main(int argc, char** argv) {
  static Z_probe_instance_t inst;
  wasm_rt_init();
  Z_probe_init_module();
  Z_probe_instantiate(&inst);
  for (int i = 1; i < argc; i++) {
    jmp_buf env;
    if (setjmp(env)) {
      el_trap_target = 0;
      printf("%s trap %s\n", argv[i], el_last_trap == WASM_RT_TRAP_OOB ? "oob" : "other");
      continue;
    }
    el_trap_target = &env;
    (void)Z_probeZ_peek(&inst, (u32)strtoul(argv[i], 0, 10));
    el_trap_target = 0;
    printf("%s ok\n", argv[i]);
  }
  Z_probe_free(&inst);
  return 0;
}
