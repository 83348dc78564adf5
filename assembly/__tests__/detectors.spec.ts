// The unsupervised anomaly kinds (HALFSPACE, KMEANS; SURPRISE has its own spec) and the AR
// forecaster's residual at their defaults, through the exports: they score every finite reading
// instead of letting the guard refuse the unusual ones, and a reading the guard does keep out (a
// range the user set) is still scored and flagged, never learned.
import { create, set_feature_range, set_param, learn_one, get_param, get_count, output_ptr } from "../index";
import {
  KIND_HALFSPACE, KIND_KMEANS, KIND_SURPRISE, KIND_AR, REJ_RANGE, REJ_STUCK, REJ_BAD_TARGET, F_LEARNED,
  F_PREDICTED, F_ANOMALY,
  P_STUCK_K, P_SPIKE_T, P_TARGET_SPIKE, P_RANGE_LO, P_RANGE_HI, C_LEARNED, C_ANOMALIES,
} from "../abi";
import { setX } from "./util/learner";

function outScore(): f32 {
  return load<f32>(output_ptr(), 4);
}

/** A slow wave with a little deterministic jitter, the shape of a room's temperature. */
function wave(t: i32): f32 {
  return <f32>20 + Mathf.sin(<f32>t * 0.05) + <f32>0.05 * <f32>((t * 7919) % 13);
}

function settle(kind: i32, n: i32): void {
  create(kind, 1);
  for (let t = 0; t < n; t++) {
    setX(0, wave(t));
    learn_one(NaN);
  }
}

describe("anomaly kinds at their defaults", () => {
  it("open ranges and no spike test: unusual readings are theirs to judge; a frozen one is stuck", () => {
    for (let k = 0; k < 2; k++) {
      create(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 1);
      expect(get_param(P_STUCK_K)).toBe(32);
      expect(get_param(P_SPIKE_T)).toBe(0);
      expect(get_param(P_RANGE_LO)).toBeLessThanOrEqual(-3e38);
      expect(get_param(P_RANGE_HI)).toBeGreaterThanOrEqual(3e38);
    }
  });

  it("a frozen sensor is refused as stuck, still scored, and not learned as the new normal", () => {
    for (let k = 0; k < 3; k++) {
      settle(k == 0 ? KIND_HALFSPACE : k == 1 ? KIND_KMEANS : KIND_SURPRISE, 3000);
      let stuck = 0, learned = 0;
      for (let t = 0; t < 500; t++) {
        setX(0, 20.5);
        const f = <u32>learn_one(NaN);
        if (f & REJ_STUCK) stuck++;
        if (f & F_LEARNED) learned++;
        expect(f & F_PREDICTED).toBe(F_PREDICTED);
      }
      // the run's first 32 readings are within what this feature's runs have shown
      expect(learned).toBeLessThanOrEqual(33);
      expect(stuck).toBe(500 - learned);
    }
  });

  it("a far spike is scored and flagged, not refused", () => {
    for (let k = 0; k < 2; k++) {
      settle(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 3000);
      setX(0, 40);
      const f = <u32>learn_one(NaN);
      expect(f & 0x0f).toBe(0);
      expect(f & F_PREDICTED).toBe(F_PREDICTED);
      expect(f & F_ANOMALY).toBe(F_ANOMALY);
    }
  });

  it("a value above a million is a reading like any other", () => {
    for (let k = 0; k < 2; k++) {
      create(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 1);
      for (let t = 0; t < 1000; t++) {
        setX(0, <f32>5e6 + <f32>1e5 * wave(t));
        expect(<u32>learn_one(NaN) & F_LEARNED).toBe(F_LEARNED);
      }
      expect(get_count(C_LEARNED)).toBe(1000);
    }
  });

  it("a reading outside a range the user set is scored and flagged REJ_RANGE, not learned", () => {
    for (let k = 0; k < 2; k++) {
      settle(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 3000);
      set_feature_range(0, 0, 30);
      const learned = get_count(C_LEARNED);
      const alarms = get_count(C_ANOMALIES);
      setX(0, 45);
      const f = <u32>learn_one(NaN);
      expect(f & REJ_RANGE).toBe(REJ_RANGE);
      expect(f & F_LEARNED).toBe(0);
      expect(f & F_ANOMALY).toBe(F_ANOMALY);
      expect(outScore()).toBeGreaterThan(0.9);
      expect(get_count(C_LEARNED)).toBe(learned);
      expect(get_count(C_ANOMALIES)).toBe(alarms + 1);
    }
  });

  it("the usual readings of the wave raise no alarm once settled", () => {
    for (let k = 0; k < 2; k++) {
      settle(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 3000);
      const alarms = get_count(C_ANOMALIES);
      for (let t = 3000; t < 6000; t++) {
        setX(0, wave(t));
        learn_one(NaN);
      }
      expect(get_count(C_ANOMALIES)).toBe(alarms);
    }
  });
});

/** The AR forecaster fed the wave as its target (and as its one feature, which it does not use). */
function settleAr(n: i32): void {
  create(KIND_AR, 1);
  for (let t = 0; t < n; t++) arStep(wave(t));
}

function arStep(v: f32): u32 {
  setX(0, v);
  return <u32>learn_one(v);
}

describe("the AR forecaster's residual at its defaults", () => {
  it("keeps the stuck test and leaves spikes to its residual", () => {
    create(KIND_AR, 1);
    expect(get_param(P_STUCK_K)).toBe(32);
    expect(get_param(P_SPIKE_T)).toBe(0);
    expect(get_param(P_TARGET_SPIKE)).toBe(0);
  });

  it("flags the first reading of a new level, learns it and follows the level", () => {
    settleAr(3000);
    const f = arStep(30);
    expect(f & 0x3f).toBe(0);
    expect(f & F_ANOMALY).toBe(F_ANOMALY);
    expect(f & F_LEARNED).toBe(F_LEARNED);
    // a burst of a hundred readings at the new level: learned, and soon no longer news
    let last: u32 = 0;
    for (let t = 0; t < 100; t++) last = arStep(30 + <f32>0.05 * <f32>((t * 7919) % 13));
    expect(last & F_LEARNED).toBe(F_LEARNED);
    expect(last & F_ANOMALY).toBe(0);
    expect(Mathf.abs(load<f32>(output_ptr(), 8))).toBeLessThan(1);
  });

  it("scores a reading outside a range the user set, and a target its spike test refuses, without learning them", () => {
    settleAr(3000);
    set_feature_range(0, 0, 25);
    let learned = get_count(C_LEARNED);
    let f = arStep(40);
    expect(f & REJ_RANGE).toBe(REJ_RANGE);
    expect(f & F_LEARNED).toBe(0);
    expect(f & F_ANOMALY).toBe(F_ANOMALY);
    expect(outScore()).toBeGreaterThan(0.99);
    expect(get_count(C_LEARNED)).toBe(learned);

    settleAr(3000);
    set_param(P_SPIKE_T, 8);
    set_param(P_TARGET_SPIKE, 1);
    for (let t = 3000; t < 3100; t++) arStep(wave(t));
    learned = get_count(C_LEARNED);
    setX(0, wave(3100));
    f = <u32>learn_one(40); // the feature is usual, the target spikes
    expect(f & REJ_BAD_TARGET).toBe(REJ_BAD_TARGET);
    expect(f & F_LEARNED).toBe(0);
    expect(f & F_ANOMALY).toBe(F_ANOMALY);
    expect(outScore()).toBeGreaterThan(0.99);
    expect(get_count(C_LEARNED)).toBe(learned);
  });
});
