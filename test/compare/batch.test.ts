import { test } from "node:test";
import assert from "node:assert/strict";
import { choleskySolve, fitLogistic, fitRidge, linearScore } from "../../host/tools/compare/batch.js";
import { Prng } from "../../host/tools/sim/index.js";

test("Cholesky solves a known symmetric positive definite system", () => {
  // A = [[4,12,-16],[12,37,-43],[-16,-43,98]] = L Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]].
  const A = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
  const x = choleskySolve(A, Float64Array.from([1, 2, 3]), 3);
  // Solution computed by hand: x = [28.583333, -7.666667, 1.333333].
  assert.ok(Math.abs(x[0] - 28.583333333) < 1e-6);
  assert.ok(Math.abs(x[1] + 7.666666667) < 1e-6);
  assert.ok(Math.abs(x[2] - 1.333333333) < 1e-6);
  assert.throws(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2), /positive definite/);
});

test("ridge with λ → 0 recovers an exact linear function", () => {
  const r = new Prng(1);
  const n = 200, d = 3;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = r.normal(5 * j, 1 + j);
    y[i] = 1.5 - 2 * X[i * d] + 0.5 * X[i * d + 1] + 3 * X[i * d + 2];
  }
  const m = fitRidge(X, y, n, d, 1e-9);
  assert.ok(Math.abs(m.b - 1.5) < 1e-6, `b = ${m.b}`);
  assert.deepEqual([...m.w].map((v) => Number(v.toFixed(6))), [-2, 0.5, 3]);
});

test("ridge matches the closed-form solution of a one-feature problem", () => {
  // One feature x = 1..4 (mean 2.5, sd √(5/3)), y = [1, 3, 2, 5]. On z = (x − 2.5)/sd the
  // unpenalized intercept is mean(y) = 2.75 and the slope is Σz·y / (Σz² + λ), Σz² = n − 1 = 3.
  const X = Float64Array.from([1, 2, 3, 4]);
  const y = Float64Array.from([1, 3, 2, 5]);
  const sd = Math.sqrt(5 / 3);
  const zy = [1, 2, 3, 4].reduce((s, x, i) => s + ((x - 2.5) / sd) * y[i], 0);
  const lambda = 2;
  const slopeZ = zy / (3 + lambda);
  const m = fitRidge(X, y, 4, 1, lambda);
  assert.ok(Math.abs(m.w[0] - slopeZ / sd) < 1e-12);
  assert.ok(Math.abs(m.b - (2.75 - (slopeZ / sd) * 2.5)) < 1e-12);
  assert.ok(Math.abs(linearScore(m, X, 1, 0) - (2.75 + slopeZ * (-1.5 / sd))) < 1e-12);
});

test("ridge ignores rows with a missing target and fills a missing feature with its mean", () => {
  // Row 2 lacks x: filled with the mean of the usable rows' x (2), where y = 4 lies on the line.
  // Row 4 has no target: left out, also from the feature means (its x = 100 would move them).
  const X = Float64Array.from([1, 2, NaN, 3, 100]);
  const y = Float64Array.from([2, 4, 4, 6, NaN]);
  const m = fitRidge(X, y, 5, 1, 1e-9);
  assert.ok(Math.abs(m.w[0] - 2) < 1e-6 && Math.abs(m.b) < 1e-6);
});

test("logistic regression converges on separable-ish data and classifies it", () => {
  const r = new Prng(3);
  const n = 2000, d = 2;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = r.normal(0, 1), b = r.normal(0, 1);
    X[i * d] = 10 + 3 * a;
    X[i * d + 1] = b;
    y[i] = a + b > 0 ? 1 : 0;
    if (r.chance(0.02)) y[i] = 1 - y[i]; // a little label noise: separable-ish
  }
  const m = fitLogistic(X, y, n, d, 1);
  assert.ok(m.converged, `not converged after ${m.iterations} iterations`);
  assert.ok(m.iterations < 30);
  let right = 0;
  for (let i = 0; i < n; i++) if ((linearScore(m, X, d, i) > 0 ? 1 : 0) === y[i]) right++;
  assert.ok(right / n > 0.95, `accuracy ${right / n}`);
  // The weights point along the true boundary a + b = 0, i.e. x0/3 + x1 = 10/3.
  assert.ok(Math.abs(m.w[0] * 3 / m.w[1] - 1) < 0.2, `w = ${[...m.w]}`);
});

test("logistic regression on perfectly separable data stays finite thanks to L2", () => {
  const X = Float64Array.from([-2, -1, 1, 2]);
  const y = Float64Array.from([0, 0, 1, 1]);
  const m = fitLogistic(X, y, 4, 1, 0.1);
  assert.ok(m.converged && Number.isFinite(m.w[0]) && m.w[0] > 0);
});
