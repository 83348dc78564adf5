// Generates the conformance vectors from build/learner.wasm: `npm run vectors`.
//
// Node (V8) is the reference: each stream below drives the module through its ABI
// (docs/ABI.md), and every call's result, every output record and the state blob are
// recorded as exact bits. Inputs come from a seeded PRNG, so the same module gives the same
// files byte for byte. The streams cover every model kind, the guard's rejections (NaN with
// several payloads, ±Inf, range, stuck, spikes), bad targets, drift, snapshot → load into a
// fresh instance in the middle of a stream, corrupt blobs and bad arguments.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Manifest, type Op, type Stream, type StreamSummary, type Val,
  REGENERATE, crc32, f32Bits, hex32, sha256, toHex, valBits, vf, vi,
} from "./format.js";
import { NodeMachine } from "./node-machine.js";
import { ROOT, VECTORS_DIR, WASM_PATH } from "./paths.js";

export const SEED = 20261126;
const QNAN = 0x7fc00000;
// Parameter ids from docs/ABI.md (assembly/abi.ts).
const P = { L2: 1, LOSS: 2, OPTIMIZER: 4, SCALER: 6, STUCK_K: 12, SPIKE_T: 15, DRIFT_DETECTOR: 32, DRIFT_RESPONSE: 33, PROTECT: 42, ZSCORE: 43, AR_EXOG: 52, KM_K: 53, SCORE_WARMUP: 58 };
const DETECTOR = { ADWIN: 1, PAGE_HINKLEY: 2, DDM: 3 };
const RESPONSE = { RESET: 1, BACKGROUND: 2 };
const OUT_BYTES = 24;
/** Counter, metric and parameter ids read at the end of each stream: docs/ABI.md's core range and issue 3's. */
const PROBE_IDS = [...Array(16).keys(), ...Array.from({ length: 24 }, (_, i) => 32 + i)];
/** Batches up to this many readings store their output records in full, larger ones a CRC-32. */
const FULL_OUTPUT_MAX = 40;

/** mulberry32: small, seeded, the same in every JS engine. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return Math.fround(lo + (hi - lo) * this.next());
  }
  normal(mean = 0, sd = 1): number {
    const u = Math.max(this.next(), 1e-12), v = this.next();
    return Math.fround(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
}

type Step = "move" | ["one" | "predict" | "batch", number] | ["batches", number, number];

/** A reading as f32 bit patterns, so that NaN payloads survive exactly. */
interface Reading {
  x: number[];
  y: number;
}
const bitsOf = (xs: number[]) => xs.map(f32Bits);

class Recorder {
  readonly ops: Op[] = [];
  readonly m: NodeMachine;
  readings = 0;
  calls = 0;
  nf = 0;
  input = 0;
  io = 0;
  output = 0;
  state = 0;

  constructor(wasm: Uint8Array) {
    this.m = new NodeMachine(wasm);
    this.pointers();
  }

  call(name: string, ...args: number[]): Val | null {
    const sig = this.m.sig(name);
    const vals = args.map((a, i) => (sig.params[i] === "f32" ? vf(a) : vi(a)));
    return this.callVals(name, vals);
  }
  callVals(name: string, vals: Val[]): Val | null {
    let r: Val | null;
    try {
      r = this.m.call(name, vals);
    } catch (e) {
      throw new Error(`${name}(${vals.join(", ")}) trapped (${(e as Error).message}): docs/ABI.md says nothing traps; fix the module`);
    }
    this.ops.push(["call", name, vals, r]);
    this.calls++;
    if (r?.startsWith("f:")) lintNaN(valBits(r), `${name}(${vals.join(", ")})`);
    return r;
  }
  int(name: string, ...args: number[]): number {
    return valBits(this.call(name, ...args) as Val) | 0;
  }
  write(addr: number, bytes: Uint8Array): void {
    this.m.write(addr, bytes);
    this.ops.push(["write", addr, toHex(bytes)]);
  }
  /** Output records: their f32 lanes (prediction, score, error, extra) must not hold computed NaNs. */
  lintOutputs(addr: number, n: number): void {
    const dv = new DataView(this.m.read(addr, n * OUT_BYTES).buffer);
    for (let i = 0; i < n; i++)
      for (let lane = 0; lane < 4; lane++) lintNaN(dv.getUint32(i * OUT_BYTES + lane * 4, true), `output record lane ${lane} after reading ${this.readings + i}`);
  }
  expect(addr: number, len: number): Uint8Array {
    const b = this.m.read(addr, len);
    this.ops.push(["expect", addr, toHex(b)]);
    return b;
  }
  crc(addr: number, len: number): void {
    this.ops.push(["crc", addr, len, hex32(crc32(this.m.read(addr, len)))]);
  }
  fresh(): void {
    this.m.fresh();
    this.ops.push(["fresh"]);
    this.pointers();
  }
  pointers(): void {
    this.input = this.int("input_ptr");
    this.io = this.int("io_ptr");
    this.output = this.int("output_ptr");
    this.state = this.int("state_ptr");
  }

  create(kind: number, nf: number): number {
    const r = this.int("create", kind, nf);
    if (r === 0) this.nf = nf;
    return r;
  }
  private f32s(bits: number[]): Uint8Array {
    return new Uint8Array(new Uint32Array(bits).buffer);
  }
  /** learn_one (or predict_one) on one reading; checks the flags and the output record. */
  one(r: Reading, predictOnly = false): void {
    if (this.nf > 0) this.write(this.input, this.f32s(r.x.slice(0, this.nf)));
    if (predictOnly) this.call("predict_one");
    else this.callVals("learn_one", ["f:" + hex32(r.y)]);
    this.expect(this.output, OUT_BYTES);
    this.lintOutputs(this.output, 1);
    this.readings++;
  }
  /** learn_batch over rows laid out at io_ptr(); checks every output record. */
  batch(rows: Reading[]): void {
    const rec = this.nf + 1;
    const bits: number[] = [];
    for (const r of rows) bits.push(...r.x.slice(0, this.nf), r.y);
    this.write(this.io, this.f32s(bits));
    this.call("learn_batch", rows.length);
    const out = this.io + rows.length * rec * 4;
    this.lintOutputs(out, rows.length);
    if (rows.length <= FULL_OUTPUT_MAX) this.expect(out, rows.length * OUT_BYTES);
    else {
      this.crc(out, rows.length * OUT_BYTES);
      this.expect(out + (rows.length - 1) * OUT_BYTES, OUT_BYTES);
    }
    this.readings += rows.length;
  }
  /**
   * Feeds rows in order through a plan: n single learn_one calls, n predict_one calls, one batch
   * of n, batches of `size` covering n rows, or a move to a fresh instance.
   */
  play(rows: Reading[], plan: Step[]): void {
    let at = 0;
    const take = (n: number) => rows.slice(at, (at += n));
    for (const step of plan) {
      if (step === "move") this.moveToFreshInstance();
      else if (step[0] === "batches") for (let left = step[1]; left > 0; left -= step[2]) this.batch(take(Math.min(step[2], left)));
      else if (step[0] === "batch") this.batch(take(step[1]));
      else for (const row of take(step[1])) this.one(row, step[0] === "predict");
    }
    if (at !== rows.length) throw new Error(`plan used ${at} of ${rows.length} rows`);
  }
  /** snapshot → the blob's bytes → a fresh instance → load: the learner continues there. */
  moveToFreshInstance(): void {
    const len = this.int("snapshot");
    if (len <= 0) return; // no model (a kind not implemented yet): the refusal is recorded
    const blob = this.m.read(this.state, len);
    this.crc(this.state, len); // the blob as this runtime made it, before it moves
    this.fresh();
    this.write(this.io, blob);
    this.call("validate", len);
    this.call("load", len);
    this.call("state_len");
  }
  /** The counters and metrics (core ids and the first of issue 3's), then the final state. */
  finish(): { len: number; blob: Uint8Array } {
    for (const id of PROBE_IDS) this.call("get_count", id);
    for (const id of PROBE_IDS) this.call("get_metric", id);
    const len = this.int("snapshot");
    if (len <= 0) return { len: 0, blob: new Uint8Array(0) };
    this.expect(this.state, Math.min(len, 16));
    this.crc(this.state, len);
    return { len, blob: this.m.read(this.state, len) };
  }
}

/**
 * WebAssembly lets a runtime choose the sign and payload of a NaN that an operation produces
 * (x86 makes 0xffc00000, Arm 0x7fc00000), so only NaNs the module writes as constants are
 * portable bit for bit. A NaN other than the canonical 0x7fc00000 in a result is reported.
 */
const nanWarnings: string[] = [];
function lintNaN(bits: number, where: string): void {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0 && bits !== QNAN) nanWarnings.push(`${where}: NaN 0x${hex32(bits)}`);
}

// ---- the streams ------------------------------------------------------------------------

type Build = (r: Recorder, rng: Rng) => void;
interface Spec {
  name: string;
  description: string;
  kind: number;
  nf: number;
  /** set_param(id, value) right after create (structural ones rebuild the fresh state). */
  params?: [number, number][];
  build: Build;
}

/** Blobs an older module wrote (test/fixtures/<file>), with the probe reading each predicts. */
function oldFixtures(file: string): { name: string; kind: number; nFeatures: number; blob: string; probe: number[] }[] {
  return (JSON.parse(readFileSync(join(ROOT, "test/fixtures", file), "utf8")) as { blobs: ReturnType<typeof oldFixtures> }).blobs;
}

/** Validate, load (the module migrates), predict the probe, learn 30 readings, move the blob to a
 * fresh instance, learn 10 more: for each blob an older module wrote. */
function replayOld(r: Recorder, rng: Rng, file: string): void {
  for (const f of oldFixtures(file)) {
    const blob = Uint8Array.from(Buffer.from(f.blob, "hex"));
    r.write(r.io, blob);
    r.call("validate", blob.length);
    r.call("load", blob.length);
    r.call("kind");
    r.call("n_features");
    r.nf = f.nFeatures;
    const supervised = f.kind === 1 || f.kind === 2 || f.kind === 4 || f.kind === 7;
    const rows = rowsOf(41, (i) => ({
      x: f.probe.map((v) => v + rng.normal(0, 0.05 * (1 + Math.abs(v)))),
      y: !supervised ? NaN : f.kind === 2 ? (rng.next() < 0.5 ? 0 : 1) : f.probe.reduce((a, v) => a + v, 0) * 0.3 + rng.normal(0, 0.1),
    }));
    r.play(rows, [["predict", 1], ["one", 30], "move", ["one", 10]]);
  }
}

/** n readings from f(i), which gives features and target as numbers (rounded to f32 here). */
function rowsOf(n: number, f: (i: number) => { x: number[]; y: number }): Reading[] {
  return Array.from({ length: n }, (_, i) => {
    const r = f(i);
    return { x: bitsOf(r.x), y: f32Bits(r.y) };
  });
}

function linearRows(rng: Rng, n: number, nf: number, w: number[], noise: number): Reading[] {
  return rowsOf(n, () => {
    const x = Array.from({ length: nf }, () => rng.uniform(-2, 2));
    let y = 0.5;
    for (let j = 0; j < nf; j++) y += w[j] * x[j];
    return { x, y: y + rng.normal(0, noise) };
  });
}

/** The regression stream (also the benchmark stream): 8 features, learn_one, batches, a move. */
export function regressionRows(): Reading[] {
  const rng = new Rng(SEED);
  return linearRows(rng, 600, 8, [1.5, -2, 0.5, 3, -1, 0.25, 2, -0.75], 0.1);
}

const specs: Spec[] = [
  {
    name: "regression",
    description: "LINEAR, 8 features, y = w·x + b + noise: 40 learn_one, 5 predict_one, batches, snapshot → load into a fresh instance, more batches",
    kind: 1,
    nf: 8,
    build(r) {
      const rows = regressionRows();
      r.play(rows, [["one", 40], ["predict", 5], ["batch", 20], ["batch", 235], "move", ["batch", 260], ["one", 40]]);
    },
  },
  {
    name: "regression-variants",
    description: "LINEAR, 5 features, Huber loss, normalized adaptive gradient, EW scaler, L2, z-score anomaly flag; outlying targets every 17 readings; a move at 120",
    kind: 1,
    nf: 5,
    params: [[P.LOSS, 1], [P.OPTIMIZER, 1], [P.SCALER, 2], [P.L2, 0.01], [P.ZSCORE, 1]],
    build(r, rng) {
      const rows = linearRows(rng, 260, 5, [0.3, -4, 2.5, 0, 1], 0.2);
      rows.forEach((row, i) => {
        if (i % 17 === 9) row.y = f32Bits(Math.fround(50 * (i % 2 ? 1 : -1)));
        row.x[3] = f32Bits(Math.fround(100 + 40 * Math.sin(i / 9))); // an offset feature the scaler must centre
      });
      r.play(rows, [["one", 80], ["batch", 40], "move", ["batch", 120], ["one", 20]]);
    },
  },
  {
    name: "logistic",
    description: "LOGISTIC, 4 features, DDM drift detector with a background model; labels from a noisy hyperplane that flips at reading 300; bad targets 0.5, +Inf, NaN; a move at 250",
    kind: 2,
    nf: 4,
    params: [[P.DRIFT_DETECTOR, DETECTOR.DDM], [P.DRIFT_RESPONSE, RESPONSE.BACKGROUND]],
    build(r, rng) {
      const rows = rowsOf(520, (i) => {
        const x = Array.from({ length: 4 }, () => rng.uniform(-1, 1));
        let s = 0.8 * x[0] - 1.2 * x[1] + 0.3 * x[2] + 0.1 + rng.normal(0, 0.2);
        if (i >= 300) s = -s;
        let y = s > 0 ? 1 : 0;
        if (i % 97 === 13) y = 0.5;
        if (i % 131 === 7) y = Infinity;
        if (i % 89 === 5) y = NaN;
        return { x, y };
      });
      r.play(rows, [["one", 60], ["batch", 190], "move", ["batch", 40], ["one", 40], ["batch", 190]]);
    },
  },
  {
    name: "halfspace",
    description: "HALFSPACE anomaly detection, 3 features, y NaN, PROTECT on: a stationary cloud with an outlier every 37 readings; a move at 200",
    kind: 3,
    nf: 3,
    params: [[P.PROTECT, 1]],
    build(r, rng) {
      const rows = rowsOf(400, (i) => {
        const x = [rng.normal(20, 0.5), rng.normal(55, 2), rng.normal(1, 0.05)];
        if (i > 60 && i % 37 === 0) x[i % 3] += [4, 16, 0.6][i % 3];
        return { x, y: NaN };
      });
      r.play(rows, [["one", 50], ["batch", 150], "move", ["one", 40], ["batch", 160]]);
    },
  },
  {
    name: "surprise",
    description: "SURPRISE, the default anomaly detector, 2 features, y NaN, spike guard on: a noisy cycle with spikes every 41 readings (scored while the guard keeps them out), NaN readings, a level shift at 420; a move at 300",
    kind: 6,
    nf: 2,
    params: [[P.SPIKE_T, 8], [P.SCORE_WARMUP, 40]],
    build(r, rng) {
      const rows = rowsOf(600, (i) => {
        const x = [10 + 2 * Math.sin((2 * Math.PI * i) / 50) + rng.normal(0, 0.3), rng.normal(100, 5) + (i >= 420 ? 60 : 0)];
        if (i > 80 && i % 41 === 0) x[i % 2] += [9, 80][i % 2];
        if (i % 97 === 13) x[1] = NaN;
        return { x, y: NaN };
      });
      r.play(rows, [["one", 60], ["batch", 200], ["predict", 20], "move", ["batch", 180], ["one", 140]]);
    },
  },
  {
    name: "ar",
    description: "AR forecasting of a pure series (no features): a noisy daily sinusoid with a level shift at 300; a move at 150",
    kind: 4,
    nf: 0,
    build(r, rng) {
      const rows = rowsOf(420, (i) => ({ x: [], y: 10 + 3 * Math.sin((2 * Math.PI * i) / 24) + rng.normal(0, 0.2) + (i >= 300 ? 4 : 0) }));
      r.play(rows, [["one", 60], ["batch", 90], "move", ["batch", 230], ["one", 40]]);
    },
  },
  {
    name: "ar-exogenous",
    description: "AR forecasting with 2 exogenous features (temperature, load) driving the series",
    kind: 4,
    nf: 2,
    params: [[P.AR_EXOG, 1]],
    build(r, rng) {
      let prev = 0;
      const rows = rowsOf(300, () => {
        const t = rng.normal(20, 3), load = rng.uniform(0, 1);
        prev = Math.fround(0.6 * prev + 0.2 * t + 2 * load + rng.normal(0, 0.1));
        return { x: [t, load], y: prev };
      });
      r.play(rows, [["one", 40], ["batch", 220], ["one", 40]]);
    },
  },
  {
    name: "kmeans",
    description: "KMEANS clustering, 2 features, K = 3, y NaN: three blobs, the third appears at reading 200; a move at 250",
    kind: 5,
    nf: 2,
    params: [[P.KM_K, 3]],
    build(r, rng) {
      const centres = [[0, 0], [5, 5], [-4, 6]];
      const rows = rowsOf(400, (i) => {
        const c = centres[i < 200 ? i % 2 : i % 3];
        return { x: [rng.normal(c[0], 0.6), rng.normal(c[1], 0.6)], y: NaN };
      });
      r.play(rows, [["one", 50], ["batch", 200], "move", ["batch", 110], ["predict", 40]]);
    },
  },
  {
    name: "guard",
    description: "the guard: NaN (quiet, negative, signalling payloads), ±Inf, out of range, a stuck sensor, spikes after warm-up, a level shift, NaN/Inf/out-of-range targets; all single calls with full output records",
    kind: 1,
    nf: 3,
    build(r, rng) {
      r.call("set_feature_range", 0, -50, 50);
      r.call("set_feature_range", 3, -1000, 1000);
      const special = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00001, 0xffffffff, 0x7f800000, 0xff800000];
      let stuck = 0;
      for (let i = 0; i < 380; i++) {
        const x = [rng.normal(10, 1), rng.normal(0, 2), rng.normal(-3, 0.5)];
        let y = f32Bits(2 * x[0] - x[1] + 0.5 * x[2] + rng.normal(0, 0.1));
        const xb = bitsOf(x);
        if (i % 23 === 11) xb[i % 3] = special[((i / 23) | 0) % special.length];
        if (i % 41 === 17) xb[0] = f32Bits(i % 2 ? 75 : -60); // out of the [-50, 50] range
        if (i >= 150 && i < 210) xb[1] = f32Bits(1.25); // stuck sensor for 60 readings
        if (i >= 330) xb[0] = f32Bits(x[0] + 25); // a level shift: spikes first, then a new level
        if (i >= 250 && i % 29 === 3) xb[2] = f32Bits(400 * (i % 2 ? 1 : -1)); // spike
        if (i % 31 === 19) y = [QNAN, 0x7f800000, f32Bits(5000), 0xff800000][stuck++ % 4];
        r.one({ x: xb, y }, i % 50 === 49);
      }
    },
  },
  {
    name: "drift",
    description: "LINEAR, 2 features, ADWIN drift detector resetting the accumulators: 1600 readings in batches of 200 with an abrupt concept change at 800 and a gradual one from 1200",
    kind: 1,
    nf: 2,
    params: [[P.DRIFT_DETECTOR, DETECTOR.ADWIN], [P.DRIFT_RESPONSE, RESPONSE.RESET]],
    build(r, rng) {
      const rows = rowsOf(1600, (i) => {
        const x = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
        const a = i < 800 ? [2, -1] : [-3, 2];
        const mix = i < 1200 ? 0 : Math.min(1, (i - 1200) / 300);
        return { x, y: (1 - mix) * (a[0] * x[0] + a[1] * x[1]) + mix * (4 * x[0] + 4 * x[1] - 2) + rng.normal(0, 0.05) };
      });
      r.play(rows, [["batches", 1600, 200]]);
    },
  },
  {
    name: "drift-page-hinkley",
    description: "LINEAR, 1 feature, Page-Hinkley drift detector with a background model: the target's offset jumps at 400 and at 800; batches of 100, a move at 600",
    kind: 1,
    nf: 1,
    params: [[P.DRIFT_DETECTOR, DETECTOR.PAGE_HINKLEY], [P.DRIFT_RESPONSE, RESPONSE.BACKGROUND]],
    build(r, rng) {
      const rows = rowsOf(1200, (i) => {
        const x = rng.uniform(0, 10);
        return { x: [x], y: 1.5 * x + (i < 400 ? 0 : i < 800 ? 8 : -5) + rng.normal(0, 0.3) };
      });
      r.play(rows, [["batches", 600, 100], "move", ["batches", 600, 100]]);
    },
  },
  {
    name: "api",
    description: "every call before create, bad kinds and feature counts, every parameter id read and written back, NaN parameters, bad ranges, batch capacity, reset, and corrupt blobs (magic, version, kind, length, CRC, payload)",
    kind: 1,
    nf: 4,
    build(r, rng) {
      r.call("abi_version");
      for (const f of ["state_len", "state_cap", "io_cap", "reset", "predict_one", "snapshot"]) r.call(f);
      r.call("learn_one", 1);
      r.call("learn_batch", 1);
      r.call("get_count", 0);
      r.call("get_metric", 0);
      r.call("get_param", 0);
      for (const [k, n] of [[0, 4], [6, 4], [-1, 4], [1, 0], [1, 33], [1, -1], [2, 33], [1, 32], [1, 1], [4, 0], [4, 33]]) r.call("create", k, n);
      for (let k = 1; k <= 5; k++) {
        r.call("create", k, 4);
        r.call("state_len");
        for (const id of PROBE_IDS) {
          const v = r.call("get_param", id) as Val;
          const bits = valBits(v);
          if ((bits & 0x7f800000) !== 0x7f800000) r.callVals("set_param", [vi(id), v]);
          if (k === 1) r.call("set_param", id, NaN);
        }
        r.call("set_param", 9999, 1);
        r.call("set_param", -1, 1);
        r.call("snapshot");
      }
      r.create(1, 4);
      r.call("set_feature_range", -1, 0, 1);
      r.call("set_feature_range", 5, 0, 1);
      r.call("set_feature_range", 0, NaN, 1);
      r.call("set_feature_range", 0, 2, 1);
      r.call("set_feature_range", 4, -100, 100);
      const rows = linearRows(rng, 60, 4, [1, 2, 3, 4], 0.01);
      for (const row of rows.slice(0, 30)) r.one(row);
      const cap = r.int("io_cap");
      r.call("learn_batch", -1);
      r.call("learn_batch", 0);
      r.call("learn_batch", Math.floor(cap / 4) + 1);
      r.call("learn_batch", 0x7fffffff);
      r.batch(rows.slice(30, 60));
      const len = r.int("snapshot");
      const blob = r.expect(r.state, len);
      // The blob goes to io_ptr() once; each corruption patches a few bytes, tries validate and
      // load (both must refuse and leave the state alone), then puts the bytes back.
      r.write(r.io, blob);
      const u32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer).setUint32(at, v, true);
      const corrupt = (mutate: (b: Uint8Array) => void, asLen = len) => {
        const b = blob.slice();
        mutate(b);
        let lo = 0, hi = b.length;
        while (lo < hi && b[lo] === blob[lo]) lo++;
        while (hi > lo && b[hi - 1] === blob[hi - 1]) hi--;
        if (hi > lo) r.write(r.io + lo, b.subarray(lo, hi));
        r.call("validate", asLen);
        r.call("load", asLen);
        if (hi > lo) r.write(r.io + lo, blob.subarray(lo, hi));
      };
      corrupt((b) => (b[0] ^= 1));
      corrupt((b) => (b[4] += 1));
      corrupt((b) => (b[6] = 9));
      corrupt((b) => u32(b, 8, len + 4));
      corrupt((b) => (b[12] ^= 0x80));
      corrupt((b) => (b[len - 1] ^= 0x01));
      corrupt(() => {}, len - 4);
      corrupt(() => {}, len + 4);
      corrupt(() => {}, 0);
      corrupt(() => {}, 0x10000);
      r.call("state_len");
      r.crc(r.state, len); // every refusal left the state untouched
      corrupt(() => {});
      r.call("reset");
      r.call("snapshot");
      for (const row of rows.slice(0, 10)) r.one(row);
    },
  },
  {
    name: "mean",
    description: "MEAN, the baseline (EW mean of the target), 2 features: a level with a wave, a step at 150, NaN and outlying targets; a move at 100",
    kind: 7,
    nf: 2,
    build(r, rng) {
      const rows = rowsOf(240, (i) => ({
        x: [rng.uniform(0, 10), rng.normal(50, 5)],
        y: i % 53 === 7 ? NaN : 20 + Math.sin(i / 6) + rng.normal(0, 0.3) + (i >= 150 ? 5 : 0) + (i % 61 === 30 ? 400 : 0),
      }));
      r.play(rows, [["one", 50], ["predict", 5], ["batch", 45], "move", ["batch", 100], ["one", 40]]);
    },
  },
  {
    name: "migrate-v1",
    description: "version-1 blobs written by edgelearn 0.1.0 (test/fixtures/v1-blobs.json), one per kind: validate, load (the module migrates them), predict the probe, learn 30 readings, move the migrated blob to a fresh instance, learn 10 more",
    kind: 1,
    nf: 3,
    build(r, rng) {
      replayOld(r, rng, "v1-blobs.json");
    },
  },
  {
    name: "migrate-v2",
    description: "version-2 blobs written by the last module of that version (test/fixtures/abi2-blobs.json: SURPRISE with 1 and 3 features and with a background model, LINEAR): validate, load (the module migrates them), predict the probe, learn 30 readings, move the migrated blob to a fresh instance, learn 10 more",
    kind: 6,
    nf: 1,
    build(r, rng) {
      replayOld(r, rng, "abi2-blobs.json");
    },
  },
  {
    name: "migrate-v3",
    description: "version-3 blobs of every kind written by the last module of that version (test/fixtures/abi3-blobs.json), laid out anew on load (64 counter and 64 metric slots become 24 and 16): validate, load, predict the probe, learn 30 readings, move the migrated blob to a fresh instance, learn 10 more",
    kind: 1,
    nf: 3,
    build(r, rng) {
      replayOld(r, rng, "abi3-blobs.json");
    },
  },
  {
    name: "migrate-v4",
    description: "version-4 blobs of every kind written by the last module of that version (test/fixtures/abi4-blobs.json, with AR on exogenous inputs), laid out anew on load (a guard slot's two counts in one word, AR's covariance as its upper triangle): validate, load, predict the probe, learn 30 readings, move the migrated blob to a fresh instance, learn 10 more",
    kind: 4,
    nf: 2,
    build(r, rng) {
      replayOld(r, rng, "abi4-blobs.json");
    },
  },
  {
    name: "guard-range-only",
    description: "the guard with its stuck and spike tests switched off (a range test alone, no statistics kept), then on again (a fresh guard and its warm-up): spikes, a stuck run, NaN and out-of-range values in each phase, single calls, batches and moves",
    kind: 1,
    nf: 3,
    build(r, rng) {
      r.call("set_feature_range", 0, -50, 50);
      const phase = (n: number, from: number): Reading[] => rowsOf(n, (k) => {
        const i = from + k;
        const x = [rng.normal(10, 1), rng.normal(0, 2), rng.normal(-3, 0.5)];
        const y = 2 * x[0] - x[1] + 0.5 * x[2] + rng.normal(0, 0.1);
        if (i % 37 === 5) x[1] = NaN;
        if (i % 41 === 17) x[0] = 75; // out of the [-50, 50] range
        if (i % 53 === 29) x[1] = 1.25;
        if (i % 300 >= 200 && i % 300 < 250) x[2] = 0.5; // a stuck sensor for 50 readings
        if (i % 29 === 3 && i % 300 >= 60) x[2] = 400 * (i % 2 ? 1 : -1); // spikes after a warm-up
        return { x, y };
      });
      r.play(phase(300, 0), [["one", 100], ["batches", 200, 100]]); // the default guard, warmed up
      r.call("set_param", P.STUCK_K, 0);
      r.call("set_param", P.SPIKE_T, 0); // both off: the guard forgets its statistics
      r.play(phase(300, 300), [["one", 60], "move", ["batches", 180, 90], ["predict", 10], ["one", 50]]);
      r.call("set_param", P.SPIKE_T, 8); // on again: a fresh guard, spikes refused after its warm-up
      r.play(phase(300, 600), [["one", 80], "move", ["batches", 220, 110]]);
      r.call("set_param", P.STUCK_K, 32);
      r.play(phase(300, 900), [["one", 300]]);
    },
  },
  {
    name: "ar-held-out",
    description: "AR forecasting with readings it does not learn: missing (NaN) and out-of-range values among a noisy sinusoid, each still answered with the forecast of the next value; single calls, a batch, a move",
    kind: 4,
    nf: 0,
    build(r, rng) {
      const rows = rowsOf(240, (i) => {
        let y = 10 + 3 * Math.sin((2 * Math.PI * i) / 24) + rng.normal(0, 0.2);
        if (i % 37 === 11) y = NaN;
        if (i % 53 === 29) y = 2e12; // outside the ±1e12 range
        return { x: [], y };
      });
      r.play(rows, [["one", 100], ["batch", 60], "move", ["one", 80]]);
    },
  },
];

function main(): void {
  const wasm = new Uint8Array(readFileSync(WASM_PATH));
  const files = new Map<string, string>();
  const summaries: StreamSummary[] = [];
  let abi = 0;
  for (const [i, spec] of specs.entries()) {
    const r = new Recorder(wasm);
    abi = valBits(r.call("abi_version") as Val);
    const created = spec.name === "api" ? 0 : r.create(spec.kind, spec.nf);
    if (created !== 0) console.warn(`WARNING: ${spec.name}: create(${spec.kind}, ${spec.nf}) returned ${created}: this kind is not implemented, the stream records the refusals`);
    for (const [id, v] of spec.params ?? []) r.call("set_param", id, v);
    spec.build(r, new Rng(SEED + 1000 * (i + 1)));
    const fin = r.finish();
    const stream: Stream = { name: spec.name, description: spec.description, kind: spec.kind, n_features: spec.nf, ops: r.ops };
    const file = `${spec.name}.json`;
    files.set(file, formatStream(stream));
    summaries.push({
      name: spec.name, file, description: spec.description, kind: spec.kind, n_features: spec.nf,
      ops: r.ops.length, calls: r.calls, readings: r.readings,
      final_state_len: fin.len, final_state_crc32: hex32(crc32(fin.blob)), final_state_sha256: sha256(fin.blob),
    });
    console.log(`${spec.name}: ${r.ops.length} ops, ${r.calls} calls, ${r.readings} readings, final state ${fin.len} bytes`);
  }
  const manifest: Manifest = {
    format: 1, abi_version: abi, wasm_sha256: sha256(wasm), wasm_bytes: wasm.length, seed: SEED,
    regenerate: REGENERATE, streams: summaries,
  };
  files.set("manifest.json", JSON.stringify(manifest, null, 2) + "\n");
  // Written only once every stream was generated: a failure leaves the old vectors in place.
  mkdirSync(VECTORS_DIR, { recursive: true });
  for (const f of readdirSync(VECTORS_DIR)) if (f.endsWith(".json")) rmSync(join(VECTORS_DIR, f));
  for (const [f, text] of files) writeFileSync(join(VECTORS_DIR, f), text);
  if (nanWarnings.length)
    console.warn(`WARNING: ${nanWarnings.length} computed NaNs reached results (runtimes may disagree on their bits), first: ${nanWarnings.slice(0, 5).join("; ")}`);
  console.log(`wrote ${summaries.length} streams for build/learner.wasm sha256 ${manifest.wasm_sha256}`);
}

/** One op per line: small diffs, easy to read. */
function formatStream(s: Stream): string {
  const head = JSON.stringify({ name: s.name, description: s.description, kind: s.kind, n_features: s.n_features });
  return head.slice(0, -1) + ',\n"ops": [\n' + s.ops.map((o) => JSON.stringify(o)).join(",\n") + "\n]}\n";
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) main();
