// The learner benchmarks' stream: 8 raw-unit features (feature j around 10 j, spread j + 1) and
// a noisy linear target, from a fixed LCG so every run and every module sees the same rows.

/** Deterministic readings: raw-unit features, a noisy linear target. */
export function regressionRows(n: number, nf = 8, seed = 1): Float32Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 1) / 2147483648;
  const rows = new Float32Array(n * (nf + 1));
  for (let i = 0; i < n; i++) {
    let y = 5;
    for (let j = 0; j < nf; j++) {
      const x = 10 * j + (j + 1) * rnd();
      rows[i * (nf + 1) + j] = x;
      y += (j % 3 - 1) * 0.5 * x;
    }
    rows[i * (nf + 1) + nf] = y + 0.1 * (rnd() - 0.5);
  }
  return rows;
}
