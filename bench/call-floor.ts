// The floor under "one learn_one call per reading": the same host loop (features written through
// a Float32Array view of the module's memory, then the call) against a module whose learn_one
// does nothing. What is left of a learn_one's time above it is the learner's own.

/** (module (memory (export "memory") 1 1) (func (export "learn_one") (param f32) (result i32) i32.const 0)) */
const EMPTY_LEARNER = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7d, 0x01, 0x7f, // type: (f32) -> i32
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x05, 0x04, 0x01, 0x01, 0x01, 0x01, // memory: 1 page, at most 1
  0x07, 0x16, 0x02, // exports: 2
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, // "memory", memory 0
  0x09, 0x6c, 0x65, 0x61, 0x72, 0x6e, 0x5f, 0x6f, 0x6e, 0x65, 0x00, 0x00, // "learn_one", function 0
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b, // code: i32.const 0
]);

/** Best calls per CPU-second of `reps` passes over rows (nf features + the target per row). */
export function emptyCallRate(rows: Float32Array, nf: number, reps: number): number {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(EMPTY_LEARNER), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const learn = instance.exports.learn_one as (y: number) => number;
  const x = new Float32Array(memory.buffer, 0, nf);
  const stride = nf + 1;
  const n = rows.length / stride;
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0, o = 0; i < n; i++, o += stride) {
      for (let j = 0; j < nf; j++) x[j] = rows[o + j];
      learn(rows[o + nf]);
    }
    const c = process.cpuUsage(c0);
    best = Math.max(best, n / ((c.user + c.system) / 1e6));
  }
  return best;
}
