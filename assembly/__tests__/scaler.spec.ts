import { create, set_param, get_metric, reset } from "../index";
import { KIND_LINEAR, P_SCALER, P_SCALER_ALPHA, P_SPIKE_T, P_STUCK_K, M_TARGET_MEAN, M_TARGET_STD } from "../abi";
import { scalerMean, scalerStd, standardize, welford, welfordStep, ScalerSlot } from "../scale";
import { SCALED, INPUT } from "../memory";
import { learn2 } from "./util/learner";

function vals(i: i32): f32 {
  return <f32>((i * 37) % 11) - <f32>3.5 + <f32>0.25 * <f32>(i % 4);
}

describe("scaler: exact (Welford)", () => {
  it("matches the two-pass mean and population std", () => {
    create(KIND_LINEAR, 2);
    set_param(P_SPIKE_T, 0);
    set_param(P_STUCK_K, 0);
    const n = 500;
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) {
      learn2(vals(i), 1, vals(i + 3));
      sum += <f64>vals(i);
    }
    const mean = sum / n;
    let ss: f64 = 0;
    for (let i = 0; i < n; i++) ss += (<f64>vals(i) - mean) * (<f64>vals(i) - mean);
    const sd = Math.sqrt(ss / n);
    expect(<f64>scalerMean(0)).toBeCloseTo(mean, 4);
    expect(<f64>scalerStd(0)).toBeCloseTo(sd, 4);
    expect(scalerStd(1)).toBe(0); // constant feature
  });
  it("standardizes to mean 0 and a constant feature to 0", () => {
    create(KIND_LINEAR, 2);
    set_param(P_SPIKE_T, 0);
    set_param(P_STUCK_K, 0);
    for (let i = 0; i < 200; i++) learn2(vals(i), 7, 1);
    store<f32>(INPUT, scalerMean(0) + scalerStd(0));
    store<f32>(INPUT, 7, 4);
    standardize(INPUT, SCALED, 2);
    expect(<f64>load<f32>(SCALED)).toBeCloseTo(1.0, 4);
    expect(load<f32>(SCALED, 4)).toBe(0);
  });
  it("the target statistics are metrics 8 and 9; reset clears them", () => {
    create(KIND_LINEAR, 2);
    set_param(P_SPIKE_T, 0);
    learn2(1, 2, 10);
    learn2(2, 3, 20);
    expect(get_metric(M_TARGET_MEAN)).toBe(15);
    expect(get_metric(M_TARGET_STD)).toBe(5);
    reset();
    expect(get_metric(M_TARGET_MEAN)).toBe(0);
  });
});

describe("scaler: exponentially weighted", () => {
  it("follows mean += a d, var = (1 - a)(var + a d²)", () => {
    create(KIND_LINEAR, 2);
    set_param(P_SCALER, 2);
    set_param(P_SCALER_ALPHA, 0.5);
    set_param(P_SPIKE_T, 0);
    learn2(0, 0, 1);
    learn2(4, 0, 1);
    // mean = 0 + 0.5 * 4 = 2, var = 0.5 * (0 + 0.5 * 16) = 4
    expect(scalerMean(0)).toBe(2);
    expect(scalerStd(0)).toBe(2);
  });
  it("forgets an old level", () => {
    create(KIND_LINEAR, 2);
    set_param(P_SCALER, 2);
    set_param(P_SPIKE_T, 0);
    for (let i = 0; i < 2000; i++) learn2(<f32>(i < 1000 ? 0 : 10) + vals(i) * 0.1, 1, 1);
    expect(<f64>scalerMean(0)).toBeCloseTo(10, 0);
  });
});

describe("scaler: long streams", () => {
  it("the exact scaler's step is capped at 2^-20", () => {
    expect(welfordStep(10)).toBe(0.1);
    expect(welfordStep(5000000)).toBe(<f32>1.0 / <f32>1048576);
  });
  it("the variance of ±1 stays 1 over 3 million readings (no freeze, no decay)", () => {
    const s = memory.data(16, 16);
    memory.fill(s, 0, 16);
    const slot = changetype<ScalerSlot>(s);
    for (let n: u32 = 1; n <= 3000000; n++) welford(slot, n & 1 ? 1 : -1, welfordStep(n));
    expect(<f64>slot.variance).toBeCloseTo(1.0, 3);
    expect(<f64>slot.invStd).toBeCloseTo(1.0, 3);
  });
});
