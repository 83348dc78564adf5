/*
 * The learner from C through edgelearn.h: a LINEAR model with 3 features learns a synthetic
 * stream one reading at a time, then a batch, then snapshots its state. Every step checks what
 * the header promises (constants, error codes, flags, record layouts) against the module, and the
 * program prints one JSON line: the checks that failed, the last prediction's bits and the state's
 * CRC, which the test compares with the same stream learned by the Node wrapper (bit-identical).
 *
 * Builds natively (gcc, el_puts below) and for a Cortex-M core (startup.c gives el_puts and el_exit;
 * the Makefile beside it links it against a release's libedgelearn-<core>.a: `make run` in a
 * release's firmware/example/). Needs no stdio and no heap.
 */
#include <math.h>
#include <string.h>

#include "edgelearn.h"

void el_puts(const char* s);
void el_trap_halt(wasm_rt_trap_t code) {
  (void)code;
  el_puts("{\"error\": \"trap\"}\n");
  for (;;) {
  }
}

#ifdef EL_NATIVE
#include <stdio.h>
#include <stdlib.h>
void el_puts(const char* s) { fputs(s, stdout); }
#endif

#define NF 3
#define N 3000
#define BATCH 10

static EL_INSTANCE inst;
static char line[512];
static char* put(char* p, const char* s) {
  while (*s) *p++ = *s++;
  return p;
}
static char* put_u32(char* p, uint32_t v) {
  char t[10];
  int n = 0;
  do t[n++] = (char)('0' + v % 10u); while ((v /= 10u) != 0);
  while (n) *p++ = t[--n];
  return p;
}
static char* put_hex(char* p, uint32_t v) {
  p = put(p, "\"0x");
  for (int s = 28; s >= 0; s -= 4) *p++ = "0123456789abcdef"[(v >> s) & 15u];
  return put(p, "\"");
}
static uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* Reading i: exact in binary64, so C and JavaScript compute the same floats. */
static float reading(uint32_t i, float* x) {
  static const double w[NF] = {0.7, -0.5, 0.7};
  double y = 1;
  for (uint32_t j = 0; j < NF; j++) {
    double v = (double)((i * (j + 3u) * 7919u) % 1000u) / 100.0 + (double)j;
    x[j] = (float)v;
    y += w[j] * v;
  }
  return (float)y;
}

/* Failed checks: their count and their source text (as a JSON list). */
static uint32_t failed;
static char checks[320];
static char* fails = checks;
#define CHECK(c) \
  do { \
    if (!(c)) { \
      failed++; \
      if (fails - checks < 200) fails = put(fails, "\"" #c "\","); \
    } \
  } while (0)

int main(void) {
  wasm_rt_init();
  EL_INSTANTIATE(&inst);
  CHECK(el_abi_version(&inst) == EL_ABI_VERSION);
  CHECK(el_learn_one(&inst, 1.0f) == EL_ERR_NO_MODEL);
  CHECK(el_create(&inst, 99, NF) == EL_ERR_KIND);
  CHECK(el_create(&inst, EL_KIND_LINEAR, EL_MAX_FEATURES + 1) == EL_ERR_FEATURES);
  CHECK(el_create(&inst, EL_KIND_LINEAR, NF) == 0);
  CHECK(el_kind(&inst) == EL_KIND_LINEAR && el_n_features(&inst) == NF);
  CHECK(el_set_param(&inst, EL_PARAM_LEARNING_RATE, 0.3f) == 0);
  CHECK(el_get_param(&inst, EL_PARAM_LEARNING_RATE) == 0.3f);
  CHECK(el_set_param(&inst, EL_PARAM_LEARNING_RATE, -1.0f) == EL_ERR_PARAM);

  float* input = el_input(&inst);
  int32_t flags = 0;
  for (uint32_t i = 0; i < N; i++) {
    float y = reading(i, input);
    flags = el_learn_one(&inst, y);
    if (!(flags & EL_FLAG_LEARNED)) break;
  }
  CHECK(flags >= 0 && (flags & EL_FLAG_LEARNED) && (flags & EL_FLAG_PREDICTED));
  CHECK(el_get_count(&inst, EL_COUNT_LEARNED) == N);
  const el_output* out = el_last_output(&inst);
  CHECK(out->flags == (uint32_t)flags && out->label == -1);
  input[0] = NAN; /* the guard refuses the reading */
  CHECK((el_learn_one(&inst, 1.0f) & EL_FLAG_REJ_NON_FINITE) != 0);
  CHECK(el_get_count(&inst, EL_COUNT_NON_FINITE) == 1);

  /* A batch: rows of NF features and the target at io_ptr(), outputs after them. */
  float* rows = el_batch_rows(&inst);
  for (uint32_t i = 0; i < BATCH; i++) rows[i * (NF + 1) + NF] = reading(N + i, rows + i * (NF + 1));
  CHECK(el_learn_batch(&inst, BATCH) == BATCH);
  const el_output* outs = el_batch_outputs(&inst, BATCH);
  CHECK((outs[BATCH - 1].flags & EL_FLAG_LEARNED) != 0);

  /* One prediction, then the state blob. */
  float x[NF];
  float y = reading(99999u, x);
  memcpy(input, x, sizeof x);
  CHECK(el_predict_one(&inst) >= 0);
  float prediction = el_last_output(&inst)->prediction;
  int32_t len = el_snapshot(&inst);
  const el_blob_header* h = (const el_blob_header*)el_state(&inst);
  CHECK(len > 0 && h->magic == EL_MAGIC && h->abi_version == EL_ABI_VERSION && h->kind == EL_KIND_LINEAR && h->length == (uint32_t)len);
  /* A damaged copy is refused, the live state is kept. */
  uint8_t* io = el_memory(&inst) + el_io_ptr(&inst);
  memcpy(io, el_state(&inst), (size_t)len);
  io[len - 1] ^= 0xFFu;
  CHECK(el_load(&inst, len) == EL_ERR_CRC);
  CHECK(el_get_count(&inst, EL_COUNT_READINGS) == N + 1 + BATCH);

  char* p = line;
  p = put(p, "{\"failed\": ");
  p = put_u32(p, failed);
  p = put(p, ", \"failures\": [");
  if (fails > checks) fails--; /* the last comma */
  *fails = 0;
  p = put(p, checks);
  p = put(p, "], \"prediction\": ");
  p = put_hex(p, bits(prediction));
  p = put(p, ", \"target\": ");
  p = put_hex(p, bits(y));
  p = put(p, ", \"state_bytes\": ");
  p = put_u32(p, (uint32_t)len);
  p = put(p, ", \"state_crc\": ");
  p = put_hex(p, h->crc);
  p = put(p, "}\n");
  *p = 0;
  el_puts(line);
  return failed == 0 ? 0 : 1;
}
