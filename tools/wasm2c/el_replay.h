/* The C conformance replay engine, shared by the native (gcc) and Cortex-M4F builds. */
#ifndef EL_REPLAY_H
#define EL_REPLAY_H
#include <stdint.h>
#include <string.h>

/* Generated per module by test/conformance/compile-ops.ts (el_dispatch.c). */
uint32_t el_call(void* inst, unsigned idx, const uint32_t* args);
void el_instantiate(void* inst);
void el_free(void* inst);
uint8_t* el_memory(void* inst);
void el_init_module(void);
unsigned el_instance_size(void);

/* Export names in op-stream order (generated: el_dispatch.c for wasm2c, el_exports.c otherwise). */
extern const char* const el_export_names[];
extern const unsigned el_export_count;

/* Provided by the platform (native main or the bare-metal port). */
void el_puts(const char* s);

/* Replays an op stream (ops.bin format); prints one JSON line per stream and a summary.
 * Returns the number of streams that failed. */
int el_replay(const uint8_t* ops, uint32_t len);

/* Small formatting helpers that need no stdio. */
char* el_fmt_u32(char* p, uint32_t v);
char* el_fmt_hex32(char* p, uint32_t v);
char* el_fmt_str(char* p, const char* s);
/* Prints {"key": v} and a newline. */
void el_put_u32_line(const char* key, uint32_t v);
#endif
