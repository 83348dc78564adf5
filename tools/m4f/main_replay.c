/* Cortex-M4F conformance image: replays the embedded vectors, prints JSON lines through
 * semihosting, exits 0 only when every stream matched. */
#include "el_replay.h"
#include "wasm-rt.h"

extern const uint8_t el_ops[];
extern const uint32_t el_ops_len;
void el_exit(int code);
uint32_t el_stack_used(void);

void el_trap_halt(wasm_rt_trap_t code) {
  el_puts("{\"error\": \"trap outside a guarded call\"}\n");
  (void)code;
  el_exit(3);
}

int main(void) {
  wasm_rt_init();
  int failed = el_replay(el_ops, el_ops_len);
  el_put_u32_line("stack_used_bytes", el_stack_used());
  return failed ? 1 : 0;
}
