// Static memory regions. Everything lives in one 64 KiB page, reserved with memory.data
// (zero-filled, no allocator). Exports hand out these addresses; hosts never hard-code them.

/** Largest state blob (header + config + payload), bytes. */
export const STATE_CAP: i32 = 24576;
/** Staging area for load/validate blobs and learn_batch readings + outputs, bytes. */
export const IO_CAP: i32 = 32768;
/** Output record size, bytes. */
export const OUT_SIZE: i32 = 24;

export const STATE: usize = memory.data(STATE_CAP, 16);
export const IO: usize = memory.data(IO_CAP, 16);
/** Features of one reading (32 × f32). */
export const INPUT: usize = memory.data(128, 16);
/** Output record of the last single call. */
export const OUTPUT: usize = memory.data(OUT_SIZE, 16);
/** Scratch: standardized features of the reading in flight (33 × f32, the last is the target). */
export const ZBUF: usize = memory.data(144, 16);
/** Scratch: parameters of a blob being created (64 × f32). */
export const PSCRATCH: usize = memory.data(256, 16);

// Output record fields.
export const O_PRED: usize = 0;
export const O_SCORE: usize = 4;
export const O_ERROR: usize = 8;
export const O_EXTRA: usize = 12;
export const O_FLAGS: usize = 16;
export const O_LABEL: usize = 20;

/** Writes an output record. */
@inline export function writeOut(out: usize, pred: f32, score: f32, err: f32, extra: f32, flags: u32, label: i32): void {
  store<f32>(out, pred, O_PRED);
  store<f32>(out, score, O_SCORE);
  store<f32>(out, err, O_ERROR);
  store<f32>(out, extra, O_EXTRA);
  store<u32>(out, flags, O_FLAGS);
  store<i32>(out, label, O_LABEL);
}

/** x is neither NaN nor ±Inf (x − x is 0 only for finite x). */
@inline export function finite(x: f32): bool {
  return x - x == 0;
}
