// Integer-only pseudo-random numbers: identical on every runtime (no floats until the last
// step, which is an exact u32 → f32 conversion and a multiply by a power of two).
// The host has the same xorshift32 and seed scramble in host/tools/sim/prng.ts.

/** Scrambles any seed into a non-zero 32-bit state (splitmix-style finaliser). */
export function seedState(seed: u32): u32 {
  let z: u32 = seed + 0x9e3779b9;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  z = z ^ (z >>> 16);
  return z == 0 ? 0x6d2b79f5 : z;
}

/** One xorshift32 step. */
// @ts-ignore: decorator
@inline export function xorshift32(x: u32): u32 {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x;
}

/** A stateless hash of (seed, a, b): the same triple always gives the same 32 bits. */
export function hash3(seed: u32, a: u32, b: u32): u32 {
  return seedState(seed ^ seedState(a * 0x27d4eb2d + b));
}

/** Top 24 bits of a hash as f32 in [0, 1). Exact: 24 bits fit the f32 mantissa. */
// @ts-ignore: decorator
@inline export function unitF32(h: u32): f32 {
  return <f32>(h >>> 8) * (1.0 / 16777216.0);
}
