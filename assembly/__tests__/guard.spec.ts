import { create, set_param, set_feature_range, learn_one, predict_one, get_count, state_ptr, snapshot } from "../index";
import {
  KIND_LINEAR, KIND_LOGISTIC, REJ_NONFINITE, REJ_RANGE, REJ_STUCK, REJ_SPIKE, REJ_NO_TARGET,
  REJ_BAD_TARGET, F_LEARNED, F_PREDICTED, P_STUCK_K, P_SPIKE_T, C_NONFINITE, C_RANGE, C_STUCK,
  C_SPIKE, C_LEVEL_SHIFT, C_REJECTED, C_NO_TARGET, C_BAD_TARGET, P_TARGET_SPIKE,
} from "../abi";
import { setX, learn2 } from "./util/learner";

/** A smooth continuous signal with a little deterministic jitter. */
function wave(t: i32): f32 {
  return <f32>20 + <f32>2 * Mathf.sin(<f32>t * 0.1) + <f32>0.01 * <f32>((t * 7919) % 13);
}

describe("guard: non-finite and range", () => {
  it("rejects NaN and ±Inf features, counts them, learns nothing", () => {
    create(KIND_LINEAR, 2);
    let f = learn2(NaN, 1, 1);
    expect(f & REJ_NONFINITE).toBe(REJ_NONFINITE);
    expect(f & (F_LEARNED | F_PREDICTED)).toBe(0);
    learn2(Infinity, 1, 1);
    learn2(1, -Infinity, 1);
    expect(get_count(C_NONFINITE)).toBe(3);
    expect(get_count(C_REJECTED)).toBe(3);
  });
  it("rejects a feature outside its range; the target range refuses the target only", () => {
    create(KIND_LINEAR, 2);
    set_feature_range(1, 0, 10);
    set_feature_range(2, -5, 5);
    expect(learn2(1, 11, 0) & REJ_RANGE).toBe(REJ_RANGE);
    expect(get_count(C_RANGE)).toBe(1);
    const f = learn2(1, 2, 6);
    expect(f & REJ_BAD_TARGET).toBe(REJ_BAD_TARGET);
    expect(f & F_PREDICTED).toBe(F_PREDICTED);
    expect(f & F_LEARNED).toBe(0);
    expect(learn2(1, 2, 4) & F_LEARNED).toBe(F_LEARNED);
  });
  it("a missing target is predicted, not learned; LOGISTIC needs 0 or 1", () => {
    create(KIND_LINEAR, 2);
    expect(learn2(1, 2, NaN) & REJ_NO_TARGET).toBe(REJ_NO_TARGET);
    expect(get_count(C_NO_TARGET)).toBe(1);
    create(KIND_LOGISTIC, 2);
    expect(learn2(1, 2, 0.5) & REJ_BAD_TARGET).toBe(REJ_BAD_TARGET);
    expect(learn2(1, 2, Infinity) & REJ_BAD_TARGET).toBe(REJ_BAD_TARGET);
    expect(get_count(C_BAD_TARGET)).toBe(2);
    expect(learn2(1, 2, 1) & F_LEARNED).toBe(F_LEARNED);
  });
});

/** A two-feature LINEAR learner whose guard tests only for stuck values (spike test off). */
function stuckTestOnly(): void {
  create(KIND_LINEAR, 2);
  set_param(P_SPIKE_T, 0);
}

describe("guard: stuck", () => {
  it("a continuous feature repeating exactly K times is stuck; a change releases it", () => {
    stuckTestOnly();
    for (let t = 0; t < 200; t++) learn2(wave(t), <f32>(t % 5), 1);
    let stuckAt = -1;
    for (let t = 0; t < 40; t++) {
      const f = learn2(21.5, <f32>(t % 5), 1);
      if ((f & REJ_STUCK) != 0 && stuckAt < 0) stuckAt = t;
    }
    expect(stuckAt).toBe(31); // the 32nd repetition (STUCK_K = 32)
    expect(get_count(C_STUCK)).toBe(40 - 31);
    expect(learn2(21.7, 1, 1) & REJ_STUCK).toBe(0);
  });
  it("a binary feature with long runs is not stuck", () => {
    stuckTestOnly();
    // runs of 1..60 zeros between ones
    let t = 0;
    for (let r = 1; r <= 60; r++) {
      for (let k = 0; k < r; k++) learn2(0, wave(t++), 1);
      learn2(1, wave(t++), 1);
    }
    expect(get_count(C_STUCK)).toBe(0);
  });
  it("a value legitimately constant for long stretches between busy ones is stuck once at most", () => {
    // A power meter: 900 readings of noisy load by day, 540 of exactly 0 W at night. The first
    // night cannot be told from a frozen meter; the nights after it are not refused. Before,
    // the day's 900 runs of one reading made the usual run 1 and a refused reading did not
    // lengthen its run: every night was refused from its 32nd reading on.
    stuckTestOnly();
    let t = 0;
    let firstNight: u32 = 0;
    for (let day = 0; day < 5; day++) {
      for (let k = 0; k < 900; k++) learn2(<f32>200 + wave(t++), 1, 1);
      for (let k = 0; k < 540; k++) learn2(0, 1, 1);
      if (day == 0) firstNight = get_count(C_STUCK);
    }
    expect(firstNight).toBe(540 - 31);
    expect(get_count(C_STUCK)).toBe(firstNight);
    // frozen by day, the meter is still caught, though much later than a sensor without long
    // runs (at the 32nd repetition): at STUCK_FACTOR (16) times the length of the runs its
    // readings were part of over the last 1,024 or so, here after 2,363 readings
    for (let k = 0; k < 900; k++) learn2(<f32>200 + wave(t++), 1, 1);
    let stuckAt = -1;
    for (let k = 0; k < 5000 && stuckAt < 0; k++) if (learn2(207, 1, 1) & REJ_STUCK) stuckAt = k;
    expect(stuckAt).toBeGreaterThan(31);
    expect(stuckAt).toBeLessThan(2880);
  });
  it("a slow value in steps, each held hundreds of readings with flicker between, is stuck once at most", () => {
    // 0.1 steps of a value read every second: a step lasts 300-600 readings, and at each
    // boundary the reading flickers between the two steps a few times.
    stuckTestOnly();
    let first: u32 = 0;
    for (let step = 0, t = 0; step < 40; step++) {
      const v = <f32>20 + <f32>0.1 * <f32>step;
      for (let k = 0; k < 6; k++) learn2(k % 2 == 0 ? v : v - <f32>0.1, wave(t++), 1);
      const hold = 300 + (step * 7919) % 300;
      for (let k = 0; k < hold; k++) learn2(v, wave(t++), 1);
      if (step == 0) first = get_count(C_STUCK);
    }
    expect(get_count(C_STUCK)).toBe(first);
  });
  it("STUCK_K = 0 disables it", () => {
    create(KIND_LINEAR, 2);
    set_param(P_STUCK_K, 0);
    for (let t = 0; t < 100; t++) learn2(wave(t), 0, 1);
    for (let t = 0; t < 100; t++) learn2(5, 0, 1);
    expect(get_count(C_STUCK)).toBe(0);
  });
});

describe("guard: spike", () => {
  it("rejects a spike after warm-up, keeps the model untouched", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), wave(t + 50), wave(t));
    snapshot();
    const f = learn2(85, wave(301), 20);
    expect(f & REJ_SPIKE).toBe(REJ_SPIKE);
    expect(f & F_LEARNED).toBe(0);
    expect(get_count(C_SPIKE)).toBe(1);
  });
  it("no spikes during warm-up", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 20; t++) learn2(wave(t), 0, 1);
    expect(learn2(85, 0, 1) & REJ_SPIKE).toBe(0);
  });
  it("a toggling binary feature is never a spike", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 2000; t++) learn2(<f32>(t % 97 == 0 ? 1 : 0), wave(t), 1);
    expect(get_count(C_SPIKE)).toBe(0);
  });
  it("a level shift is accepted after SPIKE_RESET consecutive spikes", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, 1);
    let rejected = 0;
    for (let t = 0; t < 20; t++) if (learn2(wave(t) + 100, 1, 1) & REJ_SPIKE) rejected++;
    expect(rejected).toBe(3); // SPIKE_RESET = 4: the 4th is accepted as the new level
    expect(get_count(C_LEVEL_SHIFT)).toBe(1);
  });
  it("a far value that repeats exactly (a sensor's fault code) is never accepted as a level", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, 1);
    let rejected = 0, learned = 0;
    for (let t = 0; t < 500; t++) {
      const f = learn2(-127, 1, 1);
      if (f & REJ_SPIKE) rejected++;
      if (f & F_LEARNED) learned++;
    }
    expect(rejected).toBe(500);
    expect(learned).toBe(0);
    expect(get_count(C_LEVEL_SHIFT)).toBe(0);
    // reconnected, a DS18B20 reads its power-on 85.0 once: no level either
    expect(learn2(85, 1, 1) & REJ_SPIKE).toBe(REJ_SPIKE);
    expect(get_count(C_LEVEL_SHIFT)).toBe(0);
    // the sensor back: its readings are learned, and a real change of level is still accepted
    expect(learn2(wave(300), 1, 1) & F_LEARNED).toBe(F_LEARNED);
    let refusedShift = 0;
    for (let t = 0; t < 20; t++) if (learn2(wave(t) + 100, 1, 1) & REJ_SPIKE) refusedShift++;
    expect(refusedShift).toBe(3);
    expect(get_count(C_LEVEL_SHIFT)).toBe(1);
  });
  it("a frozen far level that starts moving is a new run: a level SPIKE_RESET readings on", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, 1);
    for (let t = 0; t < 10; t++) expect(learn2(120, 1, 1) & REJ_SPIKE).toBe(REJ_SPIKE);
    for (let t = 0; t < 3; t++) expect(learn2(120 + <f32>0.5 * <f32>(t + 1), 1, 1) & REJ_SPIKE).toBe(REJ_SPIKE);
    expect(get_count(C_LEVEL_SHIFT)).toBe(0);
    expect(learn2(121, 1, 1) & REJ_SPIKE).toBe(0);
    expect(get_count(C_LEVEL_SHIFT)).toBe(1);
  });
  it("a target frozen at a fault code is refused throughout; one that moves is a new level", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, wave(t));
    let refused = 0;
    for (let t = 0; t < 200; t++) if (learn2(wave(t), 1, 65535) & REJ_BAD_TARGET) refused++;
    expect(refused).toBe(200);
    let refusedShift = 0;
    for (let t = 0; t < 20; t++) if (learn2(wave(t), 1, wave(t) + 100) & REJ_BAD_TARGET) refusedShift++;
    expect(refusedShift).toBe(3);
  });
  it("a spiking target is refused (TARGET_SPIKE), or learned when it is off", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, wave(t));
    expect(learn2(wave(300), 1, 500) & REJ_BAD_TARGET).toBe(REJ_BAD_TARGET);
    set_param(P_TARGET_SPIKE, 0);
    expect(learn2(wave(301), 1, 500) & F_LEARNED).toBe(F_LEARNED);
  });
  it("predict_one flags a spike without counting it", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), 1, 1);
    setX(0, 85);
    expect(<u32>predict_one() & REJ_SPIKE).toBe(REJ_SPIKE);
    expect(get_count(C_SPIKE)).toBe(0);
    expect(state_ptr()).toBeGreaterThan(0);
  });
});

describe("guard: infinite ranges", () => {
  it("±Inf features are rejected as non-finite even with an unbounded range", () => {
    create(KIND_LINEAR, 2);
    set_feature_range(0, -Infinity, Infinity);
    expect(learn2(Infinity, 1, 1) & REJ_NONFINITE).toBe(REJ_NONFINITE);
    expect(learn2(-Infinity, 1, 1) & REJ_NONFINITE).toBe(REJ_NONFINITE);
    expect(learn2(3e38, 1, 1) & (REJ_NONFINITE | REJ_RANGE)).toBe(0);
  });
});

describe("guard: bookkeeping only on clean readings", () => {
  it("spikes in readings that also carry a NaN (feature or target) do not count toward a level shift", () => {
    create(KIND_LINEAR, 2);
    for (let t = 0; t < 300; t++) learn2(wave(t), wave(t + 9), 1);
    for (let k = 0; k < 10; k++) {
      learn2(wave(k) + 100, NaN, 1); // spike + NaN feature: rejected as non-finite
      learn2(wave(k) + 100, wave(k), NaN); // spike + missing target
    }
    expect(get_count(C_LEVEL_SHIFT)).toBe(0);
    let rejected = 0;
    for (let k = 0; k < 4; k++) if (learn2(wave(k) + 100, wave(k), 1) & REJ_SPIKE) rejected++;
    expect(rejected).toBe(3);
    expect(get_count(C_LEVEL_SHIFT)).toBe(1);
  });
});
