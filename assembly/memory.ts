// The module's one 64 KiB page, reserved with memory.data (zero-filled, no allocator), and the
// output record every call writes. Exports hand out these addresses; hosts never hard-code them.

/**
 * The small-RAM build (`--use SMALL_RAM_BUILD=1`, asconfig target "small", build/learner-small.wasm):
 * the same source with every address it uses below 16 KiB (the target's lowMemoryLimit fails the
 * build otherwise), so that a runtime on a 32 KiB-RAM microcontroller backs only those bytes.
 * Its state holds the largest blob of any kind at its defaults with 8 features (half-space trees,
 * 6,024 B), and half-space trees with up to 13 features (6,264 B). Its staging area holds such a
 * blob to load (an older version's, up to 352 + 4 (n + 1) B longer, is laid out in this version's
 * size by load), or a batch of readings and outputs;
 * with the fixed buffers and tables (2,288 B) the build ends 448 B below 16 KiB.
 */
@inline export const SMALL_RAM: bool = isDefined(SMALL_RAM_BUILD);

/** Largest state blob (header + configuration + learned sections), bytes. */
export const STATE_CAP: i32 = SMALL_RAM ? 6272 : 24576;
/** Staging area for load/validate blobs and learn_batch readings + outputs, bytes. */
export const IO_CAP: i32 = SMALL_RAM ? 7232 : 32768;

export const STATE: usize = memory.data(STATE_CAP, 16);
export const IO: usize = memory.data(IO_CAP, 16);
/** Features of one reading (32 × f32). */
export const INPUT: usize = memory.data(128, 16);
/** Output record of the last single call. */
export const OUTPUT: usize = memory.data(24, 16);
/** Scratch: standardized features of the reading in flight (33 × f32, the last is the target). */
export const SCALED: usize = memory.data(144, 16);
/** Scratch: parameters of a blob being created (64 × f32). */
export const PARAM_SCRATCH: usize = memory.data(256, 16);

/** What one reading produced (docs/ABI.md "Output record"). */
@unmanaged export class Output {
  prediction: f32;
  score: f32;
  error: f32;
  extra: f32;
  flags: u32;
  label: i32;
}

/** Output record size, bytes. */
export const OUT_SIZE: i32 = <i32>offsetof<Output>();

/** Writes an output record. */
@inline export function writeOutput(out: usize, prediction: f32, score: f32, error: f32, extra: f32, flags: u32, label: i32): void {
  const o = changetype<Output>(out);
  o.prediction = prediction;
  o.score = score;
  o.error = error;
  o.extra = extra;
  o.flags = flags;
  o.label = label;
}

/** x is neither NaN nor ±Inf (x − x is 0 only for finite x). */
@inline export function finite(x: f32): bool {
  return x - x == 0;
}
