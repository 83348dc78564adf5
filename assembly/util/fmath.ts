// Compact single-precision exp and log (a few hundred bytes instead of the standard library's
// table-driven versions). Only IEEE-exact operations (add, mul, div, bit casts), so results are
// bit-identical on every runtime. Relative error ≲ 3e-7 over the ranges the learner uses.

const LN2_HI: f32 = 0.693145751953125; // ln 2 split so that k·LN2_HI is exact for |k| < 2^11
const LN2_LO: f32 = 1.42860677e-6;
const INV_LN2: f32 = 1.44269504;

/** e^x; x is clamped to [-87, 88] (no overflow, no subnormals). */
export function fexp(x: f32): f32 {
  x = x < -87 ? -87 : x > 88 ? 88 : x;
  const kf = Mathf.floor(x * INV_LN2 + 0.5);
  const r = x - kf * LN2_HI - kf * LN2_LO; // |r| ≤ ln2/2
  // Taylor to degree 7 (remainder < 2e-8 on |r| ≤ 0.347), Horner form.
  const p = <f32>1 + r * (<f32>1 + r * (<f32>0.5 + r * (<f32>0.16666667 + r * (<f32>0.041666668 +
    r * (<f32>0.008333334 + r * (<f32>0.0013888889 + r * <f32>0.0001984127))))));
  return p * reinterpret<f32>((<i32>kf + 127) << 23);
}

/** ln x for x > 0 (−Inf at 0, NaN below 0 or for NaN, +Inf at +Inf). */
export function flog(x: f32): f32 {
  if (!(x > 0)) return x == 0 ? -Infinity : NaN;
  if (x == Infinity) return x;
  let e: i32 = 0;
  if (x < 1.17549435e-38) {
    x *= 8388608; // 2^23: bring subnormals into the normal range
    e = -23;
  }
  const bits = reinterpret<i32>(x);
  e += (bits >> 23) - 127;
  let m = reinterpret<f32>((bits & 0x007FFFFF) | 0x3F800000); // [1, 2)
  if (m > 1.41421356) {
    m *= 0.5;
    e++;
  }
  // ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716: odd series to s^11.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  const t = s2 * (<f32>0.33333334 + s2 * (<f32>0.2 + s2 * (<f32>0.14285715 + s2 * (<f32>0.11111111 + s2 * <f32>0.09090909))));
  return <f32>e * LN2_HI + (<f32>e * LN2_LO + (s + s) * (<f32>1 + t));
}
