/*
 * Cortex-M startup for QEMU mps2-an386 (M4F) and mps2-an385 (M3): vector table, reset handler (FPU
 * on before any float instruction when there is one, .data copied from flash, .bss zeroed, stack painted for a high-water mark),
 * semihosting for output and exit. No newlib syscalls are used.
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
int main(void);
void el_exit(int code);

#define EL_STACK_PAINT 0xA5A5A5A5u

__attribute__((naked, noreturn)) void Reset_Handler(void) {
#if defined(__ARM_FP)
  __asm volatile(
      /* CPACR: full access to CP10/CP11 (the FPU), then let it take effect. */
      "ldr r0, =0xE000ED88\n"
      "ldr r1, [r0]\n"
      "orr r1, r1, #(0xF << 20)\n"
      "str r1, [r0]\n"
      "dsb\n"
      "isb\n"
      "b el_reset_c\n");
#else
  /* Soft float (Cortex-M3): no FPU to switch on. */
  __asm volatile("b el_reset_c\n");
#endif
}

__attribute__((used, noreturn)) void el_reset_c(void) {
  uint32_t* src = &_sidata;
  for (uint32_t* dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t* dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  /* Paint the stack below the current frame, for el_stack_used(). */
  uint32_t* sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t* p = &_sstack; p < sp - 16; p++) *p = EL_STACK_PAINT;
  el_exit(main());
  for (;;) {
  }
}

uint32_t el_stack_used(void) {
  uint32_t* p = &_sstack;
  while (p < &_estack && *p == EL_STACK_PAINT) p++;
  return (uint32_t)((uint8_t*)&_estack - (uint8_t*)p);
}

static void Default_Handler(void) {
  for (;;) {
  }
}

static void HardFault_Handler(void);

__attribute__((section(".isr_vector"), used)) const void* const el_vectors[16] = {
    &_estack, (void*)Reset_Handler, (void*)Default_Handler, (void*)HardFault_Handler,
    (void*)Default_Handler, (void*)Default_Handler, (void*)Default_Handler, 0, 0, 0, 0,
    (void*)Default_Handler, (void*)Default_Handler, 0, (void*)Default_Handler, (void*)Default_Handler,
};

/* ---- semihosting (ARM "angel" interface: bkpt 0xAB, op in r0, argument in r1) ---- */
static int semihost(int op, const void* arg) {
  register int r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void el_puts(const char* s) { semihost(0x04 /* SYS_WRITE0 */, s); }

void el_exit(int code) {
  /* SYS_EXIT with ADP_Stopped_ApplicationExit: QEMU exits 0; any other reason: QEMU exits 1. */
  semihost(0x18, (const void*)(uintptr_t)(code == 0 ? 0x20026 : 0x20023));
  for (;;) {
  }
}

static void HardFault_Handler(void) {
  el_puts("{\"error\": \"HardFault\"}\n");
  el_exit(2);
}
