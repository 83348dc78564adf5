import { fexp, flog } from "../util/fmath";

function relErr(a: f32, b: f64): f64 {
  return Math.abs(<f64>a - b) / Math.abs(b);
}

describe("fmath", () => {
  it("fexp is within 1e-6 relative of exp over [-80, 80]", () => {
    let worst: f64 = 0;
    for (let i = -8000; i <= 8000; i++) {
      const x = <f32>i * 0.01;
      const e = relErr(fexp(x), Math.exp(<f64>x));
      if (e > worst) worst = e;
    }
    expect(worst).toBeLessThan(1e-6);
    expect(fexp(0)).toBe(1);
    expect(fexp(-1000)).toBeGreaterThan(0);
    expect(isFinite(fexp(1000))).toBe(true);
  });
  it("flog is within 1e-6 relative (or 1e-7 absolute) of log", () => {
    let worst: f64 = 0;
    for (let i = 1; i <= 20000; i++) {
      const x = <f32>i * 0.00731;
      const ref = Math.log(<f64>x);
      const d = Math.abs(<f64>flog(x) - ref);
      const e = Math.abs(ref) > 0.1 ? d / Math.abs(ref) : d;
      if (e > worst) worst = e;
    }
    expect(worst).toBeLessThan(1e-6);
    expect(flog(1)).toBe(0);
    expect(<f64>flog(1e-7)).toBeCloseTo(Math.log(1e-7), 4);
    expect(<f64>flog(1e-40)).toBeCloseTo(Math.log(1e-40), 3);
    expect(flog(0)).toBe(-Infinity);
    expect(isNaN(flog(-1))).toBe(true);
    expect(flog(Infinity)).toBe(Infinity);
  });
});
