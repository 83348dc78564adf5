// The unsupervised anomaly kinds (HALFSPACE, KMEANS; SURPRISE has its own spec) at their
// defaults, through the exports: they score every finite reading instead of letting the guard
// refuse the unusual ones, and a reading the guard does keep out (a range the user set) is still
// scored and flagged, never learned.
import { create, set_feature_range, learn_one, get_param, get_count, output_ptr } from "../index";
import {
  KIND_HALFSPACE, KIND_KMEANS, REJ_RANGE, F_LEARNED, F_PREDICTED, F_ANOMALY, P_STUCK_K, P_SPIKE_T,
  P_RANGE_LO, P_RANGE_HI, C_LEARNED, C_ANOMALIES,
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
  it("open ranges and no stuck or spike test: unusual readings are theirs to judge", () => {
    for (let k = 0; k < 2; k++) {
      create(k == 0 ? KIND_HALFSPACE : KIND_KMEANS, 1);
      expect(get_param(P_STUCK_K)).toBe(0);
      expect(get_param(P_SPIKE_T)).toBe(0);
      expect(get_param(P_RANGE_LO)).toBeLessThanOrEqual(-3e38);
      expect(get_param(P_RANGE_HI)).toBeGreaterThanOrEqual(3e38);
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
