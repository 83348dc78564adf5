// Seeded, deterministic pseudo-random numbers for simulations, tests and benchmarks.
//
// The generator is xorshift32 seeded through a splitmix-style scramble, integer ops only, so
// the same seed gives the same stream on every platform. The same algorithm exists in the
// learner (assembly/util/prng.ts), so host and module can agree on a sequence when they must.

/** Scrambles a seed (any integer) into a non-zero 32-bit state. */
export function seedState(seed: number): number {
  let z = (seed | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return z === 0 ? 0x6d2b79f5 : z;
}

/** xorshift32 stream with uniform, integer and normal draws. */
export class Prng {
  private s: number;
  private spare = NaN;

  constructor(seed: number) {
    this.s = seedState(seed);
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Normal draw (Box–Muller, polar form avoided so the count of draws per call is fixed). */
  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return mean + sd * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + sd * r * Math.cos(2 * Math.PI * u2);
  }
}
