// Issue 3 through build/learner.wasm: drift detection and response, anomaly scores, AR
// forecasts and k-means clusters, on host/tools/sim's seeded streams (deterministic).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, Kind, Param, Flag, Count, Metric, DriftDetector, DriftResponse, compileLearner } from "../../host/learner/index.js";
import { take, sea, meanShift, noisySinusoid, spikes, blobs, regressionDrift } from "../../host/tools/sim/index.js";
import { prequential, flagged } from "../../host/tools/sim/prequential.js";
import { crc32 } from "../conformance/format.js";

const module = compileLearner();

function rocAuc(pos: number[], neg: number[]): number {
  // rank-based (Mann–Whitney), ties count one half
  const all = [...pos.map((v) => [v, 1] as const), ...neg.map((v) => [v, 0] as const)].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += rank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

function accuracy(labels: Int32Array, ys: number[], from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) if (labels[i] === ys[i]) c++;
  return c / (to - from);
}

test("a 1σ rise of the error stream is detected within 250 readings (ADWIN and PH)", () => {
  // y = sin + N(0, σ²): the model's absolute error |e| has mean 0.80σ and standard deviation
  // 0.60σ. At 5000 the noise grows to 1.75σ, so the mean of |e| rises by one of its own
  // standard deviations (0.80 → 1.40). Page-Hinkley's λ = 150 of those deviations, at most 3 a
  // reading, takes 141–213 readings here (it tolerates a burst of 50 wild ones).
  // The detector alone (DRIFT_RESPONSE 0): under the background response its alarm puts a fresh
  // model on trial, and noisier readings are no change a fresh model predicts better, so the
  // alarm stays a warning there.
  for (const det of [DriftDetector.ADWIN, DriftDetector.PageHinkley]) {
    for (const seed of [1, 2, 3]) {
      const s = take(meanShift({ seed, n: 5400, at: Infinity })).map((r, i) => {
        const f = Math.sin(i / 10);
        return { x: [f], y: f + r.y * (i >= 5000 ? 1.75 : 1) };
      });
      const l = new Learner(module).create(Kind.Linear, 1, { params: { [Param.DriftDetector]: det, [Param.DriftResponse]: DriftResponse.Notify, [Param.SpikeT]: 0, [Param.TargetSpike]: 0 } });
      const o = prequential(l, s);
      const after = flagged(o, Flag.Drift).filter((i) => i >= 5000);
      assert.ok(after.length > 0 && after[0] - 5000 < 250, `detector ${det} seed ${seed}: drifts after the shift at ${after.slice(0, 3)}`);
      // the drift is an output: counter and the reading's index
      assert.ok(l.count(Count.Drifts) >= 1);
      assert.ok(l.count(Count.LastDrift) > 5000);
    }
  }
});

test("ADWIN (δ = 0.002) raises at most one false alarm on 100,000 stationary readings", () => {
  const s = take(meanShift({ seed: 11, n: 100000, at: Infinity })).map((r, i) => ({ x: [Math.cos(i / 7)], y: 3 * Math.cos(i / 7) + r.y }));
  const l = new Learner(module).create(Kind.Linear, 1, { params: { [Param.DriftDetector]: DriftDetector.ADWIN, [Param.SpikeT]: 0, [Param.TargetSpike]: 0 } });
  const o = prequential(l, s);
  const alarms = flagged(o, Flag.Drift);
  assert.ok(alarms.length <= 1, `false alarms at ${alarms}`);
  assert.equal(l.count(Count.Drifts), alarms.length);
  assert.ok(l.metric(Metric.DriftN) > 1000, "ADWIN's window grew");
});

test("the background-model policy recovers from an abrupt concept swap faster than no adaptation", () => {
  const s = take(sea({ seed: 7, n: 10000, driftAt: [5000], invertOdd: true }));
  const ys = s.map((r) => r.y);
  const none = new Learner(module).create(Kind.Logistic, 3, { params: { [Param.DriftDetector]: DriftDetector.None } });
  const bg = new Learner(module).create(Kind.Logistic, 3, {
    params: { [Param.DriftDetector]: DriftDetector.PageHinkley, [Param.DriftResponse]: DriftResponse.Background },
  });
  const on = prequential(none, s);
  const ob = prequential(bg, s);
  const accNone = accuracy(on.label, ys, 5000, 7000);
  const accBg = accuracy(ob.label, ys, 5000, 7000);
  assert.ok(flagged(ob, Flag.ModelSwapped).some((i) => i > 5000 && i < 5300), "the background model replaced the live one soon after the swap");
  assert.equal(bg.count(Count.Swaps), flagged(ob, Flag.ModelSwapped).length);
  // measured: ≈ 0.84 against ≈ 0.43 on the 2,000 readings after the swap
  assert.ok(accBg >= accNone + 0.25, `background ${accBg} vs none ${accNone}`);
  // before the swap both are the same model (the background only starts at a warning)
  assert.ok(Math.abs(accuracy(ob.label, ys, 3000, 5000) - accuracy(on.label, ys, 3000, 5000)) < 0.02);
});

test("resetting the optimizer's accumulators speeds up a regression after its function changes", () => {
  // 30,000 readings of one function make AdaGrad's steps small; then the function changes.
  // λ = 30 (10 readings at the most a reading adds) finds it within a few readings, as the
  // response needs: the default λ = 150 takes 59 here, and by then a reset no longer gains
  const at = 30000;
  const s = take(regressionDrift({ seed: 4, n: at + 1000, driftAt: [at] }));
  const mae = (p: number) => {
    const l = new Learner(module).create(Kind.Linear, 4, { params: { [Param.DriftDetector]: DriftDetector.PageHinkley, [Param.DriftResponse]: p, [Param.TargetSpike]: 0, [Param.PhLambda]: 30 } });
    const o = prequential(l, s);
    let e = 0;
    for (let i = at; i < at + 500; i++) e += Math.abs(o.error[i]);
    return e / 500;
  };
  const notify = mae(DriftResponse.Notify);
  const reset = mae(DriftResponse.ResetAccumulators);
  // measured: 0.13 against 0.19 on the 500 readings after the change
  assert.ok(reset < 0.85 * notify, `reset ${reset} vs notify ${notify}`);
});

test("Half-Space Trees: ROC AUC ≥ 0.9 on a seeded stream with injected spikes", () => {
  const s = take(spikes({ seed: 3, n: 6000, rate: 0.01 }));
  // the guard would reject the largest spikes before scoring; here the detector sees all
  const l = new Learner(module).create(Kind.HalfSpace, 3, { params: { [Param.SpikeT]: 0 } });
  const o = prequential(l, s);
  const pos: number[] = [], neg: number[] = [];
  for (let i = 1000; i < s.length; i++) (s[i].anomaly ? pos : neg).push(o.score[i]);
  const auc = rocAuc(pos, neg);
  assert.ok(pos.length > 30);
  assert.ok(auc >= 0.9, `AUC ${auc}`);
  for (const v of o.score.subarray(1000)) assert.ok(v >= 0 && v <= 1);
});

test("the AR forecaster's residual score and the EW z-score find the same spikes", () => {
  const s = take(spikes({ seed: 9, n: 5000, nFeatures: 1, rate: 0.01 })).map((r) => ({ x: r.x, y: r.x[0], anomaly: r.anomaly }));
  const ar = new Learner(module).create(Kind.AR, 1, { params: { [Param.SpikeT]: 0, [Param.TargetSpike]: 0, [Param.ArOrder]: 8 } });
  const oa = prequential(ar, s);
  const z = new Learner(module).create(Kind.Linear, 1, { params: { [Param.ZScore]: 1, [Param.SpikeT]: 0, [Param.TargetSpike]: 0 } });
  const oz = prequential(z, s);
  for (const o of [oa, oz]) {
    const pos: number[] = [], neg: number[] = [];
    for (let i = 500; i < s.length; i++) (s[i].anomaly ? pos : neg).push(o.score[i]);
    assert.ok(rocAuc(pos, neg) >= 0.9, `AUC ${rocAuc(pos, neg)}`);
  }
});

test("PROTECT keeps anomalous readings out of the model", () => {
  const s = take(spikes({ seed: 12, n: 3000, nFeatures: 1, rate: 0.02, magnitude: 20 })).map((r) => ({ x: r.x, y: r.x[0], anomaly: r.anomaly }));
  const mk = (protect: number) =>
    new Learner(module).create(Kind.AR, 1, {
      params: { [Param.SpikeT]: 0, [Param.TargetSpike]: 0, [Param.Protect]: protect, [Param.AnomalyThreshold]: 0.999 },
    });
  const open = mk(0), guarded = mk(1);
  const oo = prequential(open, s), og = prequential(guarded, s);
  const prot = flagged(og, Flag.Protected);
  assert.ok(prot.length > 20);
  for (const i of prot) assert.equal(og.flags[i] & Flag.Learned, 0);
  assert.equal(guarded.count(Count.Protected), prot.length);
  // on normal readings after warm-up, the protected forecaster is more accurate
  let eo = 0, eg = 0;
  for (let i = 1000; i < s.length; i++)
    if (!s[i].anomaly && !s[i - 1].anomaly) {
      eo += Math.abs(oo.error[i]);
      eg += Math.abs(og.error[i]);
    }
  assert.ok(eg < 0.9 * eo, `protected ${eg} vs open ${eo}`);
});

test("AR(p) on a noisy sinusoid reaches MAE within 10% of the noise level", () => {
  const noise = 0.1;
  const s = take(noisySinusoid({ seed: 5, n: 8000, noise, period: 20 })).map((r) => ({ x: [r.y], y: r.y }));
  const l = new Learner(module).create(Kind.AR, 1, { params: { [Param.ArOrder]: 16, [Param.ArForget]: 0.9995, [Param.TargetSpike]: 0, [Param.SpikeT]: 0 } });
  const o = prequential(l, s);
  let e = 0;
  for (let i = 4000; i < s.length; i++) e += Math.abs(o.error[i]);
  const mae = e / (s.length - 4000);
  const noiseMae = noise * Math.sqrt(2 / Math.PI); // what a perfect forecaster still gets wrong
  assert.ok(mae <= 1.1 * noiseMae, `MAE ${mae} vs noise MAE ${noiseMae}`);
  // extra = the forecast of the next value, prediction = the forecast of this one
  for (let i = 5000; i < 5010; i++) assert.equal(o.extra[i], o.prediction[i + 1]);
});

test("k-means recovers three separated blobs", () => {
  const s = take(blobs({ seed: 6, n: 4000 }));
  const l = new Learner(module).create(Kind.KMeans, 2);
  const o = prequential(l, s);
  const map = new Map<number, Map<number, number>>();
  for (let i = 2000; i < s.length; i++) {
    const t = s[i].cluster!;
    const m = map.get(t) ?? new Map<number, number>();
    m.set(o.label[i], (m.get(o.label[i]) ?? 0) + 1);
    map.set(t, m);
  }
  const major = [...map.values()].map((m) => [...m.entries()].sort((a, b) => b[1] - a[1])[0]);
  assert.equal(new Set(major.map((e) => e[0])).size, 3, "each blob has its own cluster");
  const purity = major.reduce((a, e) => a + e[1], 0) / (s.length - 2000);
  assert.ok(purity > 0.99, `purity ${purity}`);
  // distance (extra) and index (prediction) agree with the label
  for (let i = 3000; i < 3010; i++) {
    assert.equal(o.prediction[i], o.label[i]);
    assert.ok(o.extra[i] >= 0);
  }
});

test("a blob with a valid CRC but inconsistent heads in the kinds' and detectors' sections never traps", () => {
  // byte offset of the model section for n features (docs/ABI.md "Layout")
  const modelOff = (n: number) => 288 + 8 * n + 160 + 16 + 32 * (n + 1) + 16 + 12 * (n + 1);
  const reseal = (b: Uint8Array) => {
    const body = new Uint8Array(b.length - 4);
    body.set(b.subarray(0, 12));
    body.set(b.subarray(16), 12);
    new DataView(b.buffer, b.byteOffset).setUint32(12, crc32(body), true);
  };
  const cases: [string, Kind, Record<number, number>, (v: DataView, m: number) => void][] = [
    ["HALFSPACE trees/height", Kind.HalfSpace, {}, (v, m) => (v.setUint32(m, 32, true), v.setUint32(m + 4, 12, true))],
    ["KMEANS centres in use", Kind.KMeans, {}, (v, m) => v.setUint32(m + 8, 0xfffffff0, true)],
    ["AR order", Kind.AR, {}, (v, m) => v.setUint32(m, 0xffff, true)],
    // SURPRISE: the ring's next slot (head byte 16) and feature 0's previous bin (slot byte 16;
    // the slots follow the 48-byte head and the 10-value ring)
    ["SURPRISE ring slot and previous bin", Kind.Surprise, {}, (v, m) => (v.setUint32(m + 16, 0x00ffffff, true), v.setInt32(m + 88 + 16, 0x00100000, true))],
    [
      "ADWIN rows and row counts",
      Kind.Linear,
      { [Param.DriftDetector]: DriftDetector.ADWIN },
      (v, m) => {
        const adwin = m + 64 + 16; // LINEAR model (16 + 3 × 12 = 52 → 64 bytes), then the 16-byte ext head
        v.setUint32(adwin + 24, 0xffffffff, true); // rows in use
        for (let r = 0; r < 14; r++) v.setUint32(adwin + 32 + 4 * r, 0xffffffff, true); // row counts
      },
    ],
  ];
  const s = take(blobs({ seed: 2, n: 600 })).map((r) => ({ x: r.x, y: r.x[0] + r.x[1] }));
  for (const [what, kind, params, corrupt] of cases) {
    const l = new Learner(module).create(kind, 2, { params });
    prequential(l, s.slice(0, 400));
    const blob = l.snapshot();
    corrupt(new DataView(blob.buffer, blob.byteOffset), modelOff(2));
    reseal(blob);
    const r = new Learner(module);
    assert.equal(r.load(blob), 0, `${what}: the sealed blob loads`);
    assert.doesNotThrow(() => prequential(r, s.slice(400)), `${what}: learning traps`);
  }
});

test("AR on a pure series: 0 features, the value only as the target", () => {
  const s = take(noisySinusoid({ seed: 8, n: 3000, noise: 0.05, period: 30, offset: 20 }));
  const a = new Learner(module).create(Kind.AR, 0);
  assert.equal(a.nFeatures, 0);
  const o = prequential(a, s.slice(0, 2000));
  let e = 0;
  for (let i = 1000; i < 2000; i++) e += Math.abs(o.error[i]);
  assert.ok(e / 1000 < 0.08, `MAE ${e / 1000}`);
  // snapshot → load → continue is bit-identical, learn_one and learn_batch agree
  const blob = a.snapshot();
  for (let i = 2000; i < 3000; i++) a.learn(s[i].y, []);
  const b = new Learner(module);
  assert.equal(b.load(blob), 0);
  prequential(b, s.slice(2000));
  assert.deepEqual(b.snapshot(), a.snapshot());
  assert.ok(a.learn(NaN, []) & Flag.RejNoTarget);
});
