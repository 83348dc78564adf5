/*
 * Replays edgelearn conformance vectors (the binary op stream of test/conformance/compile-ops.ts)
 * against the wasm2c build of build/learner.wasm. Bit patterns only: f32 values cross as u32.
 * No stdio, no malloc: it runs the same on a host and on a Cortex-M4F.
 */
#include <setjmp.h>

#include "el_replay.h"
#include "wasm-rt.h"

extern jmp_buf* el_trap_target;
extern volatile wasm_rt_trap_t el_last_trap;

/* Bytes of linear memory the runtime backs: one page, unless the runtime says fewer. */
__attribute__((weak)) const uint32_t el_memory_backed = 65536u;

#define EL_MAX_EXPORTS 64
#define EL_MAX_PARAMS 8

char* el_fmt_str(char* p, const char* s) {
  while (*s) *p++ = *s++;
  *p = 0;
  return p;
}
char* el_fmt_u32(char* p, uint32_t v) {
  char t[11];
  int n = 0;
  do t[n++] = (char)('0' + v % 10); while (v /= 10);
  while (n) *p++ = t[--n];
  *p = 0;
  return p;
}
char* el_fmt_hex32(char* p, uint32_t v) {
  for (int i = 7; i >= 0; i--) *p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
  *p = 0;
  return p;
}

typedef struct {
  const uint8_t* b;
  uint32_t p, len;
} reader_t;
static uint8_t rd8(reader_t* r) { return r->b[r->p++]; }
static uint16_t rd16(reader_t* r) {
  uint16_t v = (uint16_t)(r->b[r->p] | (r->b[r->p + 1] << 8));
  r->p += 2;
  return v;
}
static uint32_t rd32(reader_t* r) {
  uint32_t v = (uint32_t)r->b[r->p] | ((uint32_t)r->b[r->p + 1] << 8) | ((uint32_t)r->b[r->p + 2] << 16) | ((uint32_t)r->b[r->p + 3] << 24);
  r->p += 4;
  return v;
}

static struct {
  const char* name;
  uint8_t name_len, nparams, has_result;
} exps[EL_MAX_EXPORTS];

static uint32_t crc32(const uint8_t* p, uint32_t n) {
  uint32_t c = 0xFFFFFFFFu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

/* Instance storage: wasm2c's instance struct is small; keep it static and aligned. */
static uint64_t inst_storage[64];

static int guarded_call(void* inst, unsigned idx, const uint32_t* args, uint32_t* out) {
  jmp_buf env;
  if (setjmp(env)) {
    el_trap_target = 0;
    return 0;
  }
  el_trap_target = &env;
  *out = el_call(inst, idx, args);
  el_trap_target = 0;
  return 1;
}

static char line[512];

void el_put_u32_line(const char* key, uint32_t v) {
  char* p = el_fmt_str(line, "{\"");
  p = el_fmt_str(p, key);
  p = el_fmt_str(p, "\": ");
  p = el_fmt_u32(p, v);
  el_fmt_str(p, "}\n");
  el_puts(line);
}

int el_replay(const uint8_t* ops, uint32_t len) {
  reader_t r = {ops, 0, len};
  void* inst = inst_storage;
  if (el_instance_size() > sizeof inst_storage) {
    el_puts("{\"error\": \"instance struct larger than inst_storage\"}\n");
    return 1;
  }
  if (memcmp(ops, "ELOP", 4) != 0) {
    el_puts("{\"error\": \"not an op stream\"}\n");
    return 1;
  }
  r.p = 8;
  uint32_t nexp = rd32(&r);
  if (nexp > EL_MAX_EXPORTS) {
    el_puts("{\"error\": \"too many exports\"}\n");
    return 1;
  }
  for (uint32_t i = 0; i < nexp; i++) {
    exps[i].name_len = rd8(&r);
    exps[i].name = (const char*)ops + r.p;
    r.p += exps[i].name_len;
    exps[i].nparams = rd8(&r);
    r.p += exps[i].nparams;
    exps[i].has_result = rd8(&r);
    if (exps[i].has_result) r.p++;
  }
  uint32_t nstreams = rd32(&r), failed = 0;
  el_init_module();
  for (uint32_t s = 0; s < nstreams; s++) {
    uint8_t nlen = rd8(&r);
    const char* name = (const char*)ops + r.p;
    r.p += nlen;
    uint32_t nops = rd32(&r), calls = 0;
    int bad = 0;
    char fail[256];
    char* f = fail;
    el_instantiate(inst);
    for (uint32_t i = 0; i < nops; i++) {
      uint8_t op = rd8(&r);
      if (op == 1) {
        unsigned idx = rd16(&r);
        uint32_t args[EL_MAX_PARAMS], got = 0, want = 0;
        for (unsigned k = 0; k < exps[idx].nparams; k++) args[k] = rd32(&r);
        if (exps[idx].has_result) want = rd32(&r);
        calls++;
        if (bad) continue;
        int ok = guarded_call(inst, idx, args, &got);
        if (!ok || (exps[idx].has_result && got != want)) {
          bad = 1;
          f = el_fmt_str(f, " op #");
          f = el_fmt_u32(f, i);
          f = el_fmt_str(f, ": ");
          memcpy(f, exps[idx].name, exps[idx].name_len);
          f += exps[idx].name_len;
          if (!ok) {
            f = el_fmt_str(f, " trapped: ");
            f = el_fmt_str(f, wasm_rt_strerror(el_last_trap));
          } else {
            f = el_fmt_str(f, " returned ");
            f = el_fmt_hex32(f, got);
            f = el_fmt_str(f, ", expected ");
            f = el_fmt_hex32(f, want);
          }
        }
      } else if (op == 2 || op == 3 || op == 4) {
        uint32_t addr = rd32(&r), n = rd32(&r);
        const uint8_t* payload = ops + r.p;
        uint32_t want_crc = 0;
        if (op == 4) want_crc = rd32(&r);
        else r.p += n;
        if (bad) continue;
        uint8_t* mem = el_memory(inst);
        if ((uint64_t)addr + n > el_memory_backed) {
          bad = 1;
          f = el_fmt_str(f, " op out of memory bounds");
        } else if (op == 2) {
          memcpy(mem + addr, payload, n);
        } else if (op == 3 ? memcmp(mem + addr, payload, n) != 0 : crc32(mem + addr, n) != want_crc) {
          bad = 1;
          f = el_fmt_str(f, " op #");
          f = el_fmt_u32(f, i);
          f = el_fmt_str(f, op == 3 ? ": memory differs at " : ": CRC-32 differs for memory at ");
          f = el_fmt_u32(f, addr);
          f = el_fmt_str(f, ", got crc ");
          f = el_fmt_hex32(f, crc32(mem + addr, n));
        }
      } else if (op == 5) {
        if (bad) continue;
        el_free(inst);
        el_instantiate(inst);
      } else {
        el_puts("{\"error\": \"bad op\"}\n");
        return 1;
      }
    }
    el_free(inst);
    failed += bad;
    char* p = el_fmt_str(line, "{\"stream\": \"");
    memcpy(p, name, nlen);
    p += nlen;
    p = el_fmt_str(p, bad ? "\", \"ok\": false, \"calls\": " : "\", \"ok\": true, \"calls\": ");
    p = el_fmt_u32(p, calls);
    if (bad) {
      p = el_fmt_str(p, ", \"failure\": \"");
      memcpy(p, name, nlen);
      p += nlen;
      p = el_fmt_str(p, fail);
      p = el_fmt_str(p, "\"");
    }
    el_fmt_str(p, "}\n");
    el_puts(line);
  }
  el_put_u32_line("streams_failed", failed);
  return (int)failed;
}
