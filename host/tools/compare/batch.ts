// The offline (batch) baselines of `edgelearn compare`, in f64:
// - ridge regression in closed form: normal equations (XᵀX + λI) w = Xᵀy, solved by Cholesky;
// - L2-regularized logistic regression by Newton's method (IRLS) with step halving.
//
// Both standardize the features on the rows they are trained on (mean 0, sd 1; a missing value
// becomes the mean), fit an unpenalized intercept, and return weights in the original units so
// that prediction is a plain dot product. These are the models a careful batch pipeline would
// ship: exact optima, not tuned SGD.

/** A linear model in original units: prediction = b + Σ w_j x_j (logit for classification). */
export interface LinearModel {
  w: Float64Array;
  b: number;
  /** Feature means used to fill missing values. */
  fill: Float64Array;
}

export interface LogisticFit extends LinearModel {
  iterations: number;
  converged: boolean;
}

/**
 * Solves A x = b in place for a symmetric positive definite p×p matrix (row-major).
 * A is overwritten with its Cholesky factor L (lower triangle); returns x.
 * Throws when A is not positive definite.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j];
    for (let k = 0; k < j; k++) s -= A[j * p + k] * A[j * p + k];
    if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${j}: ${s})`);
    const ljj = Math.sqrt(s);
    A[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j];
      for (let k = 0; k < j; k++) t -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = t / ljj;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) { // L z = b
    let t = x[i];
    for (let k = 0; k < i; k++) t -= A[i * p + k] * x[k];
    x[i] = t / A[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) { // Lᵀ x = z
    let t = x[i];
    for (let k = i + 1; k < p; k++) t -= A[k * p + i] * x[k];
    x[i] = t / A[i * p + i];
  }
  return x;
}

/** Rows [0, n) of X (row-major, d columns) whose target is finite. */
function usableRows(y: Float64Array, n: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(y[i])) rows.push(i);
  return rows;
}

/** Mean and standard deviation per feature over the given rows, ignoring missing values. */
function featureStats(X: Float64Array, d: number, rows: number[]): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  const cnt = new Float64Array(d);
  for (const i of rows) {
    for (let j = 0; j < d; j++) {
      const v = X[i * d + j];
      if (!Number.isFinite(v)) continue;
      const c = ++cnt[j];
      const delta = v - mean[j];
      mean[j] += delta / c;
      m2[j] += delta * (v - mean[j]);
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = cnt[j] > 1 ? Math.sqrt(m2[j] / (cnt[j] - 1)) : 0;
    sd[j] = s > 1e-12 ? s : 1; // a constant column stays 0 after centring
  }
  return { mean, sd };
}

/** Row i standardized into z[1..d], with z[0] = 1 for the intercept. */
function standardRow(X: Float64Array, d: number, i: number, mean: Float64Array, sd: Float64Array, z: Float64Array): void {
  z[0] = 1;
  for (let j = 0; j < d; j++) {
    const v = X[i * d + j];
    z[j + 1] = Number.isFinite(v) ? (v - mean[j]) / sd[j] : 0;
  }
}

/** Coefficients on standardized features (θ[0] intercept) back to original units. */
function toOriginalUnits(theta: Float64Array, mean: Float64Array, sd: Float64Array): LinearModel {
  const d = mean.length;
  const w = new Float64Array(d);
  let b = theta[0];
  for (let j = 0; j < d; j++) {
    w[j] = theta[j + 1] / sd[j];
    b -= w[j] * mean[j];
  }
  return { w, b, fill: Float64Array.from(mean) };
}

/**
 * Closed-form ridge regression on the first n rows: minimizes Σ (y − b − wᵀz)² + λ‖w‖² over
 * standardized features z (the intercept is not penalized).
 */
export function fitRidge(X: Float64Array, y: Float64Array, n: number, d: number, lambda: number): LinearModel {
  const rows = usableRows(y, n);
  const { mean, sd } = featureStats(X, d, rows);
  const p = d + 1;
  const A = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const z = new Float64Array(p);
  for (const i of rows) {
    standardRow(X, d, i, mean, sd, z);
    const yi = y[i];
    for (let a = 0; a < p; a++) {
      const za = z[a];
      rhs[a] += za * yi;
      for (let c = 0; c <= a; c++) A[a * p + c] += za * z[c];
    }
  }
  for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) A[c * p + a] = A[a * p + c];
  for (let a = 1; a < p; a++) A[a * p + a] += lambda;
  if (rows.length === 0) A[0] = 1; // no data: the zero model
  return toOriginalUnits(choleskySolve(A, rhs, p), mean, sd);
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** log(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/**
 * Batch logistic regression on the first n rows (y ∈ {0, 1}) by Newton's method:
 * minimizes Σ [log(1 + e^{θᵀz}) − y θᵀz] + (λ/2)‖w‖² over standardized features z; the
 * intercept is not penalized. Each step solves (ZᵀWZ + λI') Δ = −∇ by Cholesky and is halved
 * until the objective decreases. Converged when the largest |Δ| is below tol.
 */
export function fitLogistic(
  X: Float64Array, y: Float64Array, n: number, d: number, lambda: number,
  opts: { maxIter?: number; tol?: number } = {},
): LogisticFit {
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-8;
  const rows = usableRows(y, n);
  const { mean, sd } = featureStats(X, d, rows);
  const p = d + 1;
  const m = rows.length;
  // Standardized design kept for the iterations: m × p.
  const Z = new Float64Array(m * p);
  const z = new Float64Array(p);
  for (let r = 0; r < m; r++) {
    standardRow(X, d, rows[r], mean, sd, z);
    Z.set(z, r * p);
  }
  const theta = new Float64Array(p);
  const objective = (t: Float64Array): number => {
    let f = 0;
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += Z[r * p + a] * t[a];
      f += softplus(s) - y[rows[r]] * s;
    }
    for (let a = 1; a < p; a++) f += 0.5 * lambda * t[a] * t[a];
    return f;
  };
  let f = objective(theta);
  let iterations = 0;
  let converged = false;
  const H = new Float64Array(p * p);
  const g = new Float64Array(p);
  const trial = new Float64Array(p);
  while (iterations < maxIter) {
    iterations++;
    H.fill(0);
    g.fill(0);
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += Z[r * p + a] * theta[a];
      const mu = sigmoid(s);
      const wgt = Math.max(mu * (1 - mu), 1e-12);
      const res = mu - y[rows[r]];
      for (let a = 0; a < p; a++) {
        const za = Z[r * p + a];
        g[a] += za * res;
        for (let c = 0; c <= a; c++) H[a * p + c] += wgt * za * Z[r * p + c];
      }
    }
    for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) H[c * p + a] = H[a * p + c];
    for (let a = 1; a < p; a++) { H[a * p + a] += lambda; g[a] += lambda * theta[a]; }
    H[0] += 1e-9; // keeps the intercept pivot positive when every label is the same
    const step = choleskySolve(H, g, p); // Newton step is −step
    let scale = 1;
    let fNew = f;
    for (let half = 0; half < 30; half++) {
      for (let a = 0; a < p; a++) trial[a] = theta[a] - scale * step[a];
      fNew = objective(trial);
      if (fNew <= f) break;
      scale /= 2;
    }
    let maxStep = 0;
    for (let a = 0; a < p; a++) maxStep = Math.max(maxStep, Math.abs(scale * step[a]));
    if (fNew <= f) { theta.set(trial); f = fNew; }
    if (maxStep < tol) { converged = true; break; }
  }
  return { ...toOriginalUnits(theta, mean, sd), iterations, converged };
}

/** b + wᵀx for row i of X, filling a missing feature with its training mean. */
export function linearScore(m: LinearModel, X: Float64Array, d: number, i: number): number {
  let s = m.b;
  for (let j = 0; j < d; j++) {
    const v = X[i * d + j];
    s += m.w[j] * (Number.isFinite(v) ? v : m.fill[j]);
  }
  return s;
}

/** P(y = 1) for row i under a logistic model. */
export function logisticProbability(m: LinearModel, X: Float64Array, d: number, i: number): number {
  return sigmoid(linearScore(m, X, d, i));
}
