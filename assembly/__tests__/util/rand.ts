// Seeded test data for specs: uniform and normal draws from the module's own xorshift32.
import { seedState, xorshift32 } from "../../util/prng";

let s: u32 = 1;
let spare: f32 = NaN;

export function rseed(seed: u32): void {
  s = seedState(seed);
  spare = NaN;
}

export function runi(): f32 {
  s = xorshift32(s);
  return <f32>(s >>> 8) * (1.0 / 16777216.0);
}

/** Box–Muller normal draw. */
export function rnorm(): f32 {
  if (!isNaN(spare)) {
    const z = spare;
    spare = NaN;
    return z;
  }
  const u1: f32 = 1.0 - runi();
  const u2 = runi();
  const r = Mathf.sqrt(-2.0 * Mathf.log(u1));
  spare = r * Mathf.sin(6.2831855 * u2);
  return r * Mathf.cos(6.2831855 * u2);
}

/** A zeroed scratch region of `n` bytes for a component's state (unmanaged: the GC never frees it). */
export function region(n: i32): usize {
  const p = heap.alloc(n);
  memory.fill(p, 0, n);
  return p;
}
