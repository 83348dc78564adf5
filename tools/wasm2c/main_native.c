/*
 * Native host for the wasm2c build of the learner:
 *   el-native                      replay the embedded conformance vectors
 *   el-native bench ROWS KIND NF N SECONDS   readings/s of learn_batch(N) on the rows file
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "el_replay.h"
#include "wasm-rt.h"

extern const uint8_t el_ops[];
extern const uint32_t el_ops_len;

void el_puts(const char* s) { fputs(s, stdout); }
void el_trap_halt(wasm_rt_trap_t code) {
  fprintf(stderr, "trap: %s\n", wasm_rt_strerror(code));
  exit(3);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Export indices are looked up by name in the op stream's export table. */
static int export_index(const char* want) {
  const uint8_t* b = el_ops + 12;
  uint32_t n = el_ops[8] | el_ops[9] << 8 | el_ops[10] << 16 | (uint32_t)el_ops[11] << 24;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t len = *b++;
    int match = strlen(want) == len && memcmp(b, want, len) == 0;
    b += len;
    uint8_t np = *b++;
    b += np;
    if (*b++) b++;
    if (match) return (int)i;
  }
  fprintf(stderr, "no export %s\n", want);
  exit(2);
}

static int bench(char** a) {
  FILE* fh = fopen(a[0], "rb");
  if (!fh) return perror(a[0]), 2;
  static uint8_t rows[65536];
  size_t n = fread(rows, 1, sizeof rows, fh);
  fclose(fh);
  static uint64_t inst[64];
  el_init_module();
  el_instantiate(inst);
  uint32_t args[2] = {(uint32_t)atoi(a[1]), (uint32_t)atoi(a[2])};
  if (el_call(inst, export_index("create"), args) != 0) return fprintf(stderr, "create failed\n"), 1;
  uint32_t io = el_call(inst, export_index("io_ptr"), args);
  memcpy(el_memory(inst) + io, rows, n);
  uint32_t batch = (uint32_t)atoi(a[3]);
  double min_s = atof(a[4]);
  int lb = export_index("learn_batch");
  uint64_t reps = 0;
  double t0 = now(), dt;
  do {
    for (int i = 0; i < 10; i++)
      if (el_call(inst, lb, &batch) != batch) return fprintf(stderr, "learn_batch failed\n"), 1;
    reps += 10;
  } while ((dt = now() - t0) < min_s);
  printf("{\"runner\": \"wasm2c-native\", \"readings\": %llu, \"seconds\": %.6f, \"readings_per_s\": %.1f}\n",
         (unsigned long long)(reps * batch), dt, reps * batch / dt);
  return 0;
}

int main(int argc, char** argv) {
  wasm_rt_init();
  if (argc == 7 && strcmp(argv[1], "bench") == 0) return bench(argv + 2);
  return el_replay(el_ops, el_ops_len) ? 1 : 0;
}
