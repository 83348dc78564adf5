import { arBytes, arInit, arPredict, arLearn, arScore, arRestart, arReady, arScale, widenScale } from "../models/forecast";
import { rseed, rnorm, region } from "./util/rand";

const NOISE: f32 = 0.1;
const NONE = region(4);

/** MAE of one-step forecasts over readings [from, n) of a noisy sinusoid. */
function sinusoidMae(p: i32, lambda: f32, n: i32, from: i32, offset: f32): f64 {
  const a = region(arBytes(p, 0));
  arInit(a, p, 0);
  rseed(5);
  let sum: f64 = 0;
  for (let t = 0; t < n; t++) {
    const y = offset + Mathf.sin(<f32>6.2831855 * <f32>t / <f32>20) + NOISE * rnorm();
    const f = arPredict(a, NONE);
    if (t >= from) sum += Math.abs(<f64>(y - f));
    arLearn(a, y, NONE, lambda);
  }
  return sum / <f64>(n - from);
}

describe("AR(p) by recursive least squares", () => {
  it("sizes its state from p and q", () => {
    expect(arBytes(8, 0)).toBe(32 + 4 * (8 + 9 + 45)); // P: the upper triangle of 9 × 9
  });

  it("reaches MAE within 10% of the noise level on a noisy sinusoid", () => {
    // the noise's own MAE is σ·sqrt(2/π)
    const floor = <f64>NOISE * Math.sqrt(2 / Math.PI);
    const mae = sinusoidMae(16, 0.999, 6000, 2000, 0);
    log<string>("AR(16) MAE " + mae.toString() + " noise MAE " + floor.toString());
    expect(mae).toBeLessThanOrEqual(1.1 * floor);
  });

  it("works on raw sensor units with a large offset", () => {
    const floor = <f64>NOISE * Math.sqrt(2 / Math.PI);
    const mae = sinusoidMae(16, 0.999, 6000, 2000, 90);
    log<string>("AR(16) offset 90 MAE " + mae.toString());
    expect(mae).toBeLessThanOrEqual(1.15 * floor);
  });

  it("widens its scale by a power of two without changing the forecast", () => {
    for (let q = 0; q < 2; q++) {
      const a = region(arBytes(4, q));
      arInit(a, 4, q);
      const u = region(4);
      rseed(11);
      for (let t = 0; t < 300; t++) {
        store<f32>(u, rnorm());
        const y = Mathf.sin(<f32>t / <f32>7) + <f32>0.5 * <f32>q * load<f32>(u) + NOISE * rnorm();
        arLearn(a, y, u, 0.995);
      }
      const s = arScale(a);
      const before = arPredict(a, u);
      widenScale(a, <f32>1e6);
      const f = arScale(a) / s;
      expect(f).toBeGreaterThan(1);
      expect(f).toBe(<f32>Math.pow(2, Math.round(Math.log2(<f64>f)))); // a power of two
      expect(arPredict(a, u)).toBe(before); // the same bits
    }
  });

  it("follows a series that sat still while it froze its scale, then moved by millions", () => {
    // a byte counter: flat (within 0.01) for the first values, then a random walk in steps of 1e5
    const a = region(arBytes(8, 0));
    arInit(a, 8, 0);
    rseed(12);
    let y: f32 = 100;
    let worst: f32 = 0;
    for (let t = 0; t < 4000; t++) {
      if (t < 40) y = <f32>100 + <f32>0.01 * rnorm();
      else y = Mathf.abs(y + <f32>1e5 * rnorm());
      const f = arPredict(a, NONE);
      if (t >= 100) worst = Mathf.max(worst, Mathf.abs(f - y) / <f32>1e5);
      arLearn(a, y, NONE, 0.995);
    }
    expect(isFinite(worst)).toBe(true);
    expect(worst).toBeLessThan(10); // within ten steps of the walk, every reading
  });

  it("a spike moves its weights by at most Huber's bound", () => {
    const a = region(arBytes(8, 0));
    arInit(a, 8, 0);
    rseed(13);
    let t = 0;
    for (; t < 2000; t++) arLearn(a, Mathf.sin(<f32>t / <f32>5) + NOISE * rnorm(), NONE, 0.995);
    arLearn(a, <f32>50, NONE, 0.995); // one reading 500 noise deviations off
    t++;
    let sum: f64 = 0;
    for (let k = 0; k < 200; k++, t++) {
      const y = Mathf.sin(<f32>t / <f32>5) + NOISE * rnorm();
      if (k >= 8) sum += Math.abs(<f64>(y - arPredict(a, NONE))); // once the spike left the lags
      arLearn(a, y, NONE, 0.995);
    }
    expect(sum / 192).toBeLessThan(2 * <f64>NOISE);
  });

  it("uses an exogenous input", () => {
    // y_t = 2 u_t + small noise, u_t random: lags alone cannot forecast it
    const a = region(arBytes(2, 1));
    arInit(a, 2, 1);
    const u = region(4);
    rseed(8);
    let sum: f64 = 0;
    for (let t = 0; t < 3000; t++) {
      store<f32>(u, rnorm());
      const y = <f32>2 * load<f32>(u) + <f32>0.01 * rnorm();
      const f = arPredict(a, u);
      if (t >= 1000) sum += Math.abs(<f64>(y - f));
      arLearn(a, y, u, 0.999);
    }
    expect(sum / 2000).toBeLessThan(0.05);
  });

  it("scores a jump in the residual as anomalous", () => {
    const a = region(arBytes(8, 0));
    arInit(a, 8, 0);
    rseed(3);
    for (let t = 0; t < 1000; t++) {
      const y = Mathf.sin(<f32>6.2831855 * <f32>t / <f32>50) + NOISE * rnorm();
      arLearn(a, y, NONE, 0.995);
    }
    expect(arReady(a)).toBe(true);
    const f = arPredict(a, NONE);
    expect(arScore(a, f, f)).toBeLessThan(0.01);
    // the score counts the residual in units of two of its deviations: a jump of 20 noise
    // deviations is flagged at the default threshold, one of 4 is not
    expect(arScore(a, f + 20 * NOISE, f)).toBeGreaterThan(0.99);
    expect(arScore(a, f + 4 * NOISE, f)).toBeLessThan(0.9);
    arRestart(a); // keeps θ
    expect(Mathf.abs(arPredict(a, NONE) - f)).toBeLessThan(1e-6);
  });
});
