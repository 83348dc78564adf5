// One contract, every kind in kinds.ts (the way River runs one battery of checks on every
// estimator): it learns, snapshot → load → continue is bit-identical, corrupt blobs are refused
// with the old state kept, non-finite input never reaches the state, reset clears everything,
// and bad calls answer with error codes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode, Flag, Kind, Learner, Metric, Count, OUTPUT_BYTES, REJECT_MASK, compileLearner } from "../../host/learner/index.js";
import { KINDS, ContractKind, TailOutputs } from "./kinds.js";

const module = compileLearner();

function fresh(spec: ContractKind): Learner {
  return new Learner(module).create(spec.kind, spec.nFeatures, spec.config);
}

/** Bytes of the live state (a view, not a copy). */
function stateView(l: Learner): Uint8Array {
  return new Uint8Array(l.raw.memory.buffer, l.raw.state_ptr(), l.raw.state_len());
}

/** Offset and size of the counter block (docs/ABI.md "Layout"). */
function counterBlock(n: number): [number, number] {
  return [280 + 8 * (n + 1), 256];
}

function withoutCounters(blob: Uint8Array, n: number): Uint8Array {
  const c = blob.slice();
  const [off, len] = counterBlock(n);
  c.fill(0, off, off + len);
  c.fill(0, 12, 16); // the CRC covers the counters too
  return c;
}

/** Feeds readings [from, to) through learn_one; returns the concatenated output records. */
function feed(l: Learner, spec: ContractKind, from: number, to: number, tail?: TailOutputs, tailFrom = to): Uint8Array {
  const out = new Uint8Array((to - from) * OUTPUT_BYTES);
  const rec = new Uint8Array(l.raw.memory.buffer, l.raw.output_ptr(), OUTPUT_BYTES);
  for (let i = from; i < to; i++) {
    const y = spec.reading(i, l.input);
    const r = l.raw.learn_one(y);
    assert.ok(r >= 0, `learn_one returned ${r}`);
    out.set(rec, (i - from) * OUTPUT_BYTES);
    if (tail && i >= tailFrom) {
      tail.prediction.push(l.prediction);
      tail.error.push(l.error);
      tail.label.push(l.label);
      tail.target.push(y);
    }
  }
  return out;
}

function rows(spec: ContractKind, from: number, to: number): Float32Array {
  const n = spec.nFeatures;
  const x = new Float32Array(n);
  const a = new Float32Array((to - from) * (n + 1));
  for (let i = from; i < to; i++) {
    const y = spec.reading(i, x);
    a.set(x, (i - from) * (n + 1));
    a[(i - from) * (n + 1) + n] = y;
  }
  return a;
}

for (const spec of KINDS) {
  describe(`contract: ${spec.name}`, () => {
    test("learns", () => {
      const l = fresh(spec);
      const tail: TailOutputs = { prediction: [], error: [], label: [], target: [] };
      feed(l, spec, 0, spec.trainReadings, tail, spec.trainReadings - 1000);
      const why = spec.learned(l, tail);
      assert.equal(why, undefined, why);
      assert.equal(l.count(Count.Readings), spec.trainReadings);
    });

    test("snapshot → load → continue is bit-identical to never stopping (learn_one and learn_batch)", () => {
      const a = fresh(spec);
      feed(a, spec, 0, 2000);
      const blob = a.snapshot();
      const outA = feed(a, spec, 2000, 4000);
      const endA = a.snapshot();

      const b = new Learner(module);
      assert.equal(b.load(blob), 0);
      const outB = feed(b, spec, 2000, 4000);
      assert.deepEqual(outB, outA, "outputs after restore");
      assert.deepEqual(b.snapshot(), endA, "state after restore");

      const c = new Learner(module);
      assert.equal(c.load(blob), 0);
      const data = rows(spec, 2000, 4000);
      c.learnBatch(data);
      assert.deepEqual(c.snapshot(), endA, "learn_batch gives the same state as learn_one");

      const d = fresh(spec);
      feed(d, spec, 0, 2000);
      assert.deepEqual(d.snapshot(), blob, "two fresh instances agree");
    });

    test("a blob with one flipped byte is refused and the old state kept", () => {
      const src = fresh(spec);
      feed(src, spec, 0, 1500);
      const blob = src.snapshot();
      const target = fresh(spec);
      feed(target, spec, 5000, 5100);
      target.snapshot();
      const before = stateView(target).slice();
      for (let p = 0; p < blob.length; p++) {
        for (const mask of [0xff, 1 << (p % 8)]) {
          const bad = blob.slice();
          bad[p] ^= mask;
          const v = target.validate(bad);
          const r = target.load(bad);
          assert.ok(r < 0, `flip 0x${mask.toString(16)} at byte ${p} accepted`);
          assert.equal(v, r, `validate and load agree at byte ${p}`);
          assert.equal(target.raw.state_len(), before.length);
          assert.ok(Buffer.from(stateView(target)).equals(before), `state changed by a refused blob (byte ${p})`);
        }
      }
      assert.equal(target.load(blob.subarray(0, blob.length - 1)), ErrorCode.Length);
      const longer = new Uint8Array(blob.length + 4);
      longer.set(blob);
      assert.equal(target.load(longer), ErrorCode.Length);
      assert.equal(target.load(new Uint8Array(0)), ErrorCode.Length);
      assert.ok(Buffer.from(stateView(target)).equals(before));
      assert.equal(target.load(blob), 0);
      assert.deepEqual(target.snapshot(), blob);
    });

    test("non-finite inputs never reach the state", () => {
      const n = spec.nFeatures;
      const clean = fresh(spec);
      const dirty = fresh(spec);
      const bad = [NaN, Infinity, -Infinity];
      let k = 0;
      for (let i = 0; i < 1500; i++) {
        const y = spec.reading(i, clean.input);
        clean.raw.learn_one(y);
        if (i % 3 === 0) {
          spec.reading(i, dirty.input);
          dirty.input[k % n] = bad[k % 3];
          const f = dirty.raw.learn_one(y);
          assert.ok(f & Flag.RejNonFinite, "flagged non-finite");
          assert.equal(f & Flag.Learned, 0, "not learned");
          assert.ok(Number.isNaN(dirty.prediction), "no prediction");
          if (spec.supervised) {
            spec.reading(i, dirty.input);
            const g = dirty.raw.learn_one(bad[k % 3]);
            assert.equal(g & REJECT_MASK, 0);
            assert.ok(g & (Flag.RejNoTarget | Flag.RejBadTarget), "target flagged");
            assert.equal(g & Flag.Learned, 0, "not learned without a valid target");
          }
          k++;
        }
        spec.reading(i, dirty.input);
        dirty.raw.learn_one(y);
      }
      assert.ok(dirty.count(Count.NonFinite) > 0);
      assert.deepEqual(withoutCounters(dirty.snapshot(), n), withoutCounters(clean.snapshot(), n));
    });

    test("predict_one changes nothing", () => {
      const l = fresh(spec);
      feed(l, spec, 0, 500);
      l.snapshot();
      const before = stateView(l).slice();
      for (let i = 500; i < 600; i++) {
        spec.reading(i, l.input);
        if (i % 4 === 0) l.input[i % spec.nFeatures] = NaN;
        const f = l.raw.predict_one();
        assert.ok(f >= 0);
        assert.equal(f & Flag.Learned, 0);
      }
      l.raw.snapshot();
      assert.ok(Buffer.from(stateView(l)).equals(before));
    });

    test("reset clears everything learned and keeps the configuration", () => {
      const l = fresh(spec);
      feed(l, spec, 0, 2000);
      l.setFeatureRange(0, -1e5, 1e5);
      l.reset();
      const ref = fresh(spec);
      ref.setFeatureRange(0, -1e5, 1e5);
      assert.deepEqual(l.snapshot(), ref.snapshot());
      for (let id = 0; id < 64; id++) assert.equal(l.count(id), 0, `count ${id}`);
      assert.ok(Number.isNaN(l.metric(Metric.MAE)));
    });

    test("bad calls return error codes and change nothing", () => {
      const none = new Learner(module);
      assert.equal(none.raw.learn_one(1), ErrorCode.NoModel);
      assert.equal(none.raw.predict_one(), ErrorCode.NoModel);
      assert.equal(none.raw.learn_batch(1), ErrorCode.NoModel);
      assert.equal(none.raw.snapshot(), ErrorCode.NoModel);
      assert.equal(none.raw.reset(), ErrorCode.NoModel);
      assert.equal(none.raw.set_param(0, 1), ErrorCode.NoModel);
      assert.ok(Number.isNaN(none.raw.get_param(0)));
      assert.equal(none.raw.state_len(), 0);

      const l = fresh(spec);
      feed(l, spec, 0, 300);
      l.snapshot();
      const before = stateView(l).slice();
      const r = l.raw;
      const n = spec.nFeatures;
      const calls: [string, () => number, number][] = [
        ["create kind 0", () => r.create(0, n), ErrorCode.Kind],
        ["create kind 99", () => r.create(99, n), ErrorCode.Kind],
        ...(spec.kind === Kind.AR ? [] : [["create 0 features", () => r.create(spec.kind, 0), ErrorCode.Features] as [string, () => number, number]]),
        ["create 33 features", () => r.create(spec.kind, 33), ErrorCode.Features],
        ["create -1 features", () => r.create(spec.kind, -1), ErrorCode.Features],
        ["set_param NaN", () => r.set_param(0, NaN), ErrorCode.NonFinite],
        ["set_param Inf", () => r.set_param(0, Infinity), ErrorCode.NonFinite],
        ["set_param id -1", () => r.set_param(-1, 0), ErrorCode.Param],
        ["set_param id 64", () => r.set_param(64, 0), ErrorCode.Param],
        ["set_param unknown id 31", () => r.set_param(31, 0), ErrorCode.Param],
        ["set_param out of range", () => r.set_param(0, -1), ErrorCode.Param],
        ["set_param non-integer enum", () => r.set_param(6, 0.5), ErrorCode.Param],
        ["set_feature_range index n+1", () => r.set_feature_range(n + 1, 0, 1), ErrorCode.Features],
        ["set_feature_range index -1", () => r.set_feature_range(-1, 0, 1), ErrorCode.Features],
        ["set_feature_range NaN", () => r.set_feature_range(0, NaN, 1), ErrorCode.NonFinite],
        ["set_feature_range lo > hi", () => r.set_feature_range(0, 2, 1), ErrorCode.Param],
        ["learn_batch -1", () => r.learn_batch(-1), ErrorCode.Capacity],
        ["learn_batch too many", () => r.learn_batch(1 << 20), ErrorCode.Capacity],
        ["load -1", () => r.load(-1), ErrorCode.Length],
        ["load > io_cap", () => r.load(r.io_cap() + 1), ErrorCode.Length],
        ["validate 0", () => r.validate(0), ErrorCode.Length],
      ];
      for (const [what, call, code] of calls) {
        assert.equal(call(), code, what);
        assert.ok(Buffer.from(stateView(l)).equals(before), `${what} changed the state`);
      }
      assert.ok(Number.isNaN(r.get_param(-1)));
      assert.ok(Number.isNaN(r.get_param(31)));
      assert.ok(Number.isNaN(r.get_metric(-1)));
      assert.equal(r.get_count(-5), 0);
      assert.equal(r.get_count(64), 0);
    });
  });
}

describe("contract: no call traps", () => {
  test("20,000 seeded random calls with hostile arguments never trap", () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 1) / 2147483648;
    const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const ints = [-2147483648, -1, 0, 1, 2, 3, 5, 8, 16, 31, 32, 33, 63, 64, 65, 255, 4096, 65535, 1 << 20, 2147483647];
    const floats = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 1e-45, 3.4e38, -3.4e38, 1e6, 7];
    const l = new Learner(module);
    const r = l.raw;
    const io = new Uint8Array(r.memory.buffer, r.io_ptr(), r.io_cap());
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 20000; i++) {
      const op = Math.floor(rnd() * 14);
      switch (op) {
        case 0: r.create(pick([0, 1, 2, 3, 4, 5, 6, -1, 99]), pick(ints)); break;
        case 1: r.set_param(pick(ints), pick(floats)); break;
        case 2: r.get_param(pick(ints)); break;
        case 3: r.set_feature_range(pick(ints), pick(floats), pick(floats)); break;
        case 4: r.reset(); break;
        case 5:
          for (let j = 0; j < 32; j++) l.input[j] = rnd() < 0.1 ? pick(floats) : rnd() * 10;
          r.learn_one(rnd() < 0.2 ? pick(floats) : rnd());
          break;
        case 6: r.predict_one(); break;
        case 7:
          for (let j = 0; j < 256; j++) io[j] = Math.floor(rnd() * 256);
          r.learn_batch(pick(ints));
          break;
        case 8: if (r.snapshot() > 0) blobs.push(l.snapshot()); break;
        case 9: {
          const b = blobs.length ? pick(blobs).slice() : new Uint8Array(16);
          if (rnd() < 0.7) b[Math.floor(rnd() * b.length)] ^= 1 + Math.floor(rnd() * 255);
          io.set(b.subarray(0, Math.min(b.length, io.length)));
          r.load(rnd() < 0.8 ? b.length : pick(ints));
          break;
        }
        case 10: r.validate(pick(ints)); break;
        case 11: r.get_count(pick(ints)); break;
        case 12: r.get_metric(pick(ints)); break;
        default: r.state_len(); r.kind(); r.n_features();
      }
      if (blobs.length > 50) blobs.splice(0, 25);
    }
    // Still usable afterwards.
    assert.equal(r.create(Kind.Linear, 2), 0);
    l.input[0] = 1;
    l.input[1] = 2;
    assert.ok(r.learn_one(3) >= 0);
  });
});
