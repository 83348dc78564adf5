/*
 * The memory probe (tools/wasm2c/memory_probe.c) as a Cortex-M image for QEMU: the arguments a
 * native run would take are compiled in (probe_args.h, written by the test: EL_PROBE_ARGS, a
 * comma-separated list of string literals), the lines go out through semihosting, and a trap
 * outside a guarded call (a memory refused when instantiated) prints its reason and fails (QEMU
 * reports any semihosting exit but success as status 1).
 */
#include "el_replay.h"
#include "probe_args.h"
#include "wasm-rt.h"

void el_exit(int code);
int el_probe(int n, const char* const* args, void (*out)(const char* line));

void el_trap_halt(wasm_rt_trap_t code) {
  el_puts("trap outside a guarded call: ");
  el_puts(wasm_rt_strerror(code));
  el_puts("\n");
  el_exit(3);
}

static const char* const args[] = {EL_PROBE_ARGS};

int main(void) {
  return el_probe((int)(sizeof args / sizeof args[0]), args, el_puts);
}
