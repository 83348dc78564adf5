/*
 * Cortex-M4F measuring image: the learner, the runtime shim and minimal I/O only (its size is
 * the figure reported). LINEAR with 8 features learns a synthetic stream; SysTick, clocked by
 * the CPU, counts time, which under `qemu-system-arm -icount shift=0` advances exactly 1 ns per
 * guest instruction. A calibration loop of known length converts ticks to instructions.
 * Compiled with EL_MEASURE_RANGE_GUARD (el-m4f-measure-range.elf), the learner's guard is a range
 * test alone: its stuck and spike tests are switched off, and with them the upkeep of its
 * statistics.
 */
#include "el_replay.h"
#include "wasm-rt.h"

void el_exit(int code);
uint32_t el_stack_used(void);
/* Images with a heap (wasm3) say how much of it they used. */
__attribute__((weak)) uint32_t el_heap_used(void) { return 0; }
void el_trap_halt(wasm_rt_trap_t code) {
  (void)code;
  el_puts("{\"error\": \"trap\"}\n");
  el_exit(3);
}

#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)

/* Export indices of the ABI calls used here, found by name in el_export_names. */
static unsigned idx(const char* n) {
  for (unsigned i = 0; i < el_export_count; i++)
    if (strcmp(el_export_names[i], n) == 0) return i;
  el_puts("{\"error\": \"missing export\"}\n");
  el_exit(4);
  return 0;
}

static uint32_t lcg = 12345u;
static float rnd(void) { /* uniform in [-2, 2) from a 24-bit LCG draw */
  lcg = lcg * 1664525u + 1013904223u;
  return (float)(lcg >> 8) * (4.0f / 16777216.0f) - 2.0f;
}

static uint64_t inst_storage[64];
#define report el_put_u32_line

static uint32_t prev;
static uint64_t acc;
static inline void tick(void) {
  uint32_t now = SYST_CVR;
  acc += (prev - now) & 0xFFFFFFu;
  prev = now;
}

#define NF 8
#define N 2000
#define WARMUP 200
#define BATCH 100
#define BATCH_REPS 10

int main(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5; /* enable, processor clock, no interrupt */

  /* Calibration: 2 instructions per iteration (subs, bne). */
  prev = SYST_CVR;
  acc = 0;
  uint32_t loops = 1000000;
  __asm volatile("1: subs %0, %0, #1\n bne 1b\n" : "+r"(loops));
  tick();
  uint64_t cal_ticks = acc;

  wasm_rt_init();
  el_init_module();
  void* inst = inst_storage;
  el_instantiate(inst);
  uint32_t args[2] = {1, NF};
  if (el_call(inst, idx("create"), args) != 0) {
    el_puts("{\"error\": \"create failed\"}\n");
    return 1;
  }
#ifdef EL_MEASURE_RANGE_GUARD
  /* The guard as a range test alone: STUCK_K = 0 and SPIKE_T = 0 switch its other tests off. */
  static const uint32_t off[][2] = {{12u, 0u}, {15u, 0u}};
  for (unsigned k = 0; k < 2; k++)
    if (el_call(inst, idx("set_param"), (uint32_t*)off[k]) != 0) {
      el_puts("{\"error\": \"set_param failed\"}\n");
      return 1;
    }
#endif
  uint8_t* mem = el_memory(inst);
  uint32_t input = el_call(inst, idx("input_ptr"), args);
  unsigned learn = idx("learn_one");
  static const float w[NF] = {1.5f, -2.0f, 0.5f, 3.0f, -1.0f, 0.25f, 2.0f, -0.75f};
  uint64_t t_learn = 0, t_base = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < N; i++) {
      float x[NF], y = 0.5f;
      for (int j = 0; j < NF; j++) {
        x[j] = rnd();
        y += w[j] * x[j];
      }
      memcpy(mem + input, x, sizeof x);
      uint32_t yb;
      memcpy(&yb, &y, 4);
      if (i == WARMUP) {
        prev = SYST_CVR;
        acc = 0;
      }
      if (pass == 0) el_call(inst, learn, &yb);
      if (i >= WARMUP) tick();
    }
    if (pass == 0) t_learn = acc;
    else t_base = acc;
  }
  if (cal_ticks == 0) {
    el_puts("{\"error\": \"SysTick did not advance: run under qemu-system-arm -icount shift=0\"}\n");
    return 1;
  }
  /* instructions = ticks × (2 000 000 / cal_ticks) */
  uint64_t per_call_x100 = ((t_learn - t_base) * 2000000ull * 100ull) / (cal_ticks * (uint64_t)(N - WARMUP));
  /* learn_batch: BATCH readings laid out at io_ptr(), timed over BATCH_REPS calls. */
  uint32_t io = el_call(inst, idx("io_ptr"), args);
  unsigned lb = idx("learn_batch");
  for (int i = 0; i < BATCH; i++) {
    float row[NF + 1], y = 0.5f;
    for (int j = 0; j < NF; j++) {
      row[j] = rnd();
      y += w[j] * row[j];
    }
    row[NF] = y;
    memcpy(mem + io + (uint32_t)i * sizeof row, row, sizeof row);
  }
  uint32_t nb = BATCH;
  prev = SYST_CVR;
  acc = 0;
  for (int k = 0; k < BATCH_REPS; k++)
    if (el_call(inst, lb, &nb) != nb) {
      el_puts("{\"error\": \"learn_batch failed\"}\n");
      return 1;
    }
  tick();
  uint64_t per_reading_x100 = (acc * 2000000ull * 100ull) / (cal_ticks * (uint64_t)(BATCH * BATCH_REPS));
  report("calibration_ticks_per_2M_instructions", (uint32_t)cal_ticks);
  report("learn_one_instructions_x100", (uint32_t)per_call_x100);
  report("learn_batch_instructions_per_reading_x100", (uint32_t)per_reading_x100);
  report("stack_used_bytes", el_stack_used());
  if (el_heap_used()) report("heap_used_bytes", el_heap_used());
  report("readings", el_call(inst, idx("get_count"), (uint32_t[]){0}));
  return 0;
}
