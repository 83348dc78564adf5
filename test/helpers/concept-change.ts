// A regression stream whose concept changes once, to make a model drift: y = 2a − b + 0.5 before
// row `changeAt`, y = −3a + 2b − 1 from there, with a and b uniform in [−1, 1) and uniform noise
// of ±`noise`. A seeded Park–Miller generator makes it the same stream on every run.

export interface ConceptRow {
  a: number;
  b: number;
  y: number;
}

export function* conceptChange(rows: number, changeAt: number, seed: number, noise: number): Generator<ConceptRow> {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let i = 0; i < rows; i++) {
    const a = rnd();
    const b = rnd();
    const y = i < changeAt ? 2 * a - b + 0.5 : -3 * a + 2 * b - 1;
    yield { a, b, y: y + noise * rnd() };
  }
}
