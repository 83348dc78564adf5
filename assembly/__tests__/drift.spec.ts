import { adwinInit, adwinUpdate, adwinWidth, adwinMean, ADWIN_BYTES, ADWIN_ROWS, ADWIN_M } from "../drift/adwin";
import { pageHinkleyInit, pageHinkleyUpdate, PH_BYTES } from "../drift/page_hinkley";
import { ddmInit, ddmUpdate, DDM_BYTES } from "../drift/ddm";
import { DRIFT_DETECTED, DRIFT_WARNING } from "../drift/level";
import { rseed, rnorm, runi, region } from "./util/rand";

/** Readings until the first drift after a 1σ mean shift at `at`, or -1; false alarms before it in `falseAlarms`. */
let falseAlarms = 0;
function delay(adwin: bool, seed: u32, at: i32, n: i32): i32 {
  const p = region(adwin ? ADWIN_BYTES : PH_BYTES);
  if (adwin) adwinInit(p, 0.002, 0.02, false);
  else pageHinkleyInit(p, 0.005, 50, 0.9999, 1);
  rseed(seed);
  falseAlarms = 0;
  for (let t = 0; t < n; t++) {
    const x = rnorm() + (t >= at ? <f32>1 : <f32>0);
    if ((adwin ? adwinUpdate(p, x) : pageHinkleyUpdate(p, x)) == DRIFT_DETECTED) {
      if (t >= at) return t - at;
      falseAlarms++;
    }
  }
  return -1;
}
function delayAdwin(seed: u32, at: i32, n: i32): i32 {
  return delay(true, seed, at, n);
}
function delayPH(seed: u32, at: i32, n: i32): i32 {
  return delay(false, seed, at, n);
}

describe("ADWIN", () => {
  it("has the documented memory bound", () => {
    expect(ADWIN_BYTES).toBe(32 + 4 * ADWIN_ROWS + 8 * ADWIN_ROWS * ADWIN_M);
    expect(ADWIN_BYTES).toBeLessThanOrEqual(648);
  });

  it("detects a 1σ mean shift within 200 readings (10 seeds)", () => {
    for (let seed: u32 = 1; seed <= 10; seed++) {
      const d = delayAdwin(seed, 1000, 1400);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
    }
  });

  it("raises at most one false alarm on 100,000 stationary readings", () => {
    const p = region(ADWIN_BYTES);
    adwinInit(p, 0.002, 0.02, false);
    rseed(77);
    let alarms = 0;
    for (let t = 0; t < 100000; t++) if (adwinUpdate(p, rnorm()) == DRIFT_DETECTED) alarms++;
    expect(alarms).toBeLessThanOrEqual(1);
    log<string>("ADWIN false alarms in 100k: " + alarms.toString());
    // the window is bounded: it slides once full
    expect(adwinWidth(p)).toBeLessThanOrEqual(<u32>(ADWIN_M * ((1 << ADWIN_ROWS) - 1)));
    expect(adwinWidth(p)).toBeGreaterThan(50000);
    expect(Mathf.abs(adwinMean(p))).toBeLessThan(0.05);
  });

  it("shrinks its window to the new concept after a drift", () => {
    const p = region(ADWIN_BYTES);
    adwinInit(p, 0.002, 0.02, false);
    rseed(5);
    for (let t = 0; t < 3000; t++) adwinUpdate(p, rnorm() + (t >= 2000 ? <f32>3 : <f32>0));
    expect(adwinWidth(p)).toBeLessThan(1200);
    expect(adwinMean(p)).toBeGreaterThan(2.5);
  });

  it("in up-only mode ignores decreases but still shrinks its window", () => {
    const p = region(ADWIN_BYTES);
    adwinInit(p, 0.002, 0.02, true);
    rseed(6);
    let alarms = 0;
    for (let t = 0; t < 3000; t++) if (adwinUpdate(p, rnorm() - (t >= 2000 ? <f32>3 : <f32>0)) == DRIFT_DETECTED) alarms++;
    expect(alarms).toBe(0);
    expect(adwinWidth(p)).toBeLessThan(1200);
  });

  it("is deterministic", () => {
    expect(delayAdwin(3, 500, 1000)).toBe(delayAdwin(3, 500, 1000));
  });
});

describe("Page-Hinkley", () => {
  it("detects a 1σ mean increase within 200 readings (10 seeds), rarely alarming before it", () => {
    let total = 0;
    for (let seed: u32 = 1; seed <= 10; seed++) {
      const d = delayPH(seed, 1000, 1400);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
      total += falseAlarms;
    }
    // λ = 50 on unit-variance noise: a false alarm in 1000 readings happens for about one seed in ten
    expect(total).toBeLessThanOrEqual(2);
  });

  it("warns before it detects", () => {
    const p = region(PH_BYTES);
    pageHinkleyInit(p, 0.005, 50, 0.9999, 1);
    rseed(9);
    let warnAt = -1, driftAt = -1;
    for (let t = 0; t < 2000 && driftAt < 0; t++) {
      const r = pageHinkleyUpdate(p, rnorm() + (t >= 1000 ? <f32>1 : <f32>0));
      if (r == DRIFT_WARNING && warnAt < 0 && t >= 1000) warnAt = t;
      if (r == DRIFT_DETECTED) driftAt = t;
    }
    expect(warnAt).toBeGreaterThan(999);
    expect(driftAt).toBeGreaterThan(warnAt);
  });

  it("mode 2 sees decreases only", () => {
    const up = region(PH_BYTES), dn = region(PH_BYTES);
    pageHinkleyInit(up, 0.005, 50, 0.9999, 1);
    pageHinkleyInit(dn, 0.005, 50, 0.9999, 2);
    rseed(11);
    let upHits = 0, dnHits = 0;
    for (let t = 0; t < 2000; t++) {
      const x = rnorm() - (t >= 1000 ? <f32>2 : <f32>0);
      if (pageHinkleyUpdate(up, x) == DRIFT_DETECTED) upHits++;
      if (pageHinkleyUpdate(dn, x) == DRIFT_DETECTED) dnHits++;
    }
    expect(upHits).toBe(0);
    expect(dnHits).toBeGreaterThan(0);
  });
});

describe("DDM", () => {
  it("warns, then detects when the error rate jumps from 10% to 40%", () => {
    const p = region(DDM_BYTES);
    ddmInit(p, 2, 3);
    rseed(21);
    let warnAt = -1, driftAt = -1, early = 0;
    for (let t = 0; t < 4000 && driftAt < 0; t++) {
      const err: f32 = runi() < (t >= 2000 ? 0.4 : 0.1) ? 1 : 0;
      const r = ddmUpdate(p, err);
      if (t < 2000 && r == DRIFT_DETECTED) early++;
      if (t >= 2000 && r == DRIFT_WARNING && warnAt < 0) warnAt = t;
      if (t >= 2000 && r == DRIFT_DETECTED) driftAt = t;
    }
    expect(early).toBeLessThanOrEqual(1); // DDM's known weakness: an early, noisy minimum
    expect(warnAt).toBeGreaterThan(1999);
    expect(driftAt).toBeGreaterThanOrEqual(warnAt);
    expect(driftAt - 2000).toBeLessThan(300);
  });

  it("a perfect model's first error is not a drift", () => {
    const p = region(DDM_BYTES);
    ddmInit(p, 2, 3);
    for (let t = 0; t < 100; t++) ddmUpdate(p, 0);
    expect(ddmUpdate(p, 1)).toBe(0);
  });
});
