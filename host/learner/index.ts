// Typed wrapper around build/learner.wasm (standard WebAssembly API, no bindings).
// A reading is written straight into the module's input buffer through a Float32Array view:
// no allocation per reading. Blobs are copied out (snapshot) and in (load).

import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ErrorCode, Kind, Param, Count, Metric, OUTPUT_BYTES, errorName } from "./abi.js";

export * from "./abi.js";

/** The raw exports (docs/ABI.md). */
export interface LearnerExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  state_ptr(): number;
  state_len(): number;
  state_cap(): number;
  io_ptr(): number;
  io_cap(): number;
  input_ptr(): number;
  output_ptr(): number;
  kind(): number;
  n_features(): number;
  create(kind: number, nFeatures: number): number;
  set_param(id: number, value: number): number;
  get_param(id: number): number;
  set_feature_range(i: number, lo: number, hi: number): number;
  reset(): number;
  learn_one(y: number): number;
  predict_one(): number;
  learn_batch(n: number): number;
  snapshot(): number;
  validate(len: number): number;
  load(len: number): number;
  get_count(id: number): number;
  get_metric(id: number): number;
}

/** Path of the release module built by `npm run build`. */
export const DEFAULT_WASM = fileURLToPath(new URL("../../learner.wasm", import.meta.url));

export class LearnerError extends Error {
  constructor(readonly code: number, what: string) {
    super(`${what}: ${errorName(code)} (${code})`);
    this.name = "LearnerError";
  }
}

/** One output record (docs/ABI.md "Output record"). */
export interface Output {
  prediction: number;
  score: number;
  error: number;
  extra: number;
  flags: number;
  label: number;
}

/** Outputs of a batch, one entry per reading. */
export interface BatchOutputs {
  prediction: Float32Array;
  score: Float32Array;
  error: Float32Array;
  extra: Float32Array;
  flags: Uint32Array;
  label: Int32Array;
}

export function batchOutputs(n: number): BatchOutputs {
  return {
    prediction: new Float32Array(n),
    score: new Float32Array(n),
    error: new Float32Array(n),
    extra: new Float32Array(n),
    flags: new Uint32Array(n),
    label: new Int32Array(n),
  };
}

/** Configuration for `create`: parameter values by id, ranges by feature index (n = target). */
export interface LearnerConfig {
  params?: Partial<Record<Param, number>> | Record<number, number>;
  ranges?: Record<number, [number, number]>;
}

/** How many readings `o` has room for: its shortest array. */
function outputRoom(o: BatchOutputs): number {
  return Math.min(o.prediction.length, o.score.length, o.error.length, o.extra.length, o.flags.length, o.label.length);
}

let cachedModule: WebAssembly.Module | undefined;

/** Compiles the module once per process (sync; the file is a few KiB). */
export function compileLearner(path: string = DEFAULT_WASM): WebAssembly.Module {
  if (path === DEFAULT_WASM && cachedModule) return cachedModule;
  const m = new WebAssembly.Module(readFileSync(path));
  if (path === DEFAULT_WASM) cachedModule = m;
  return m;
}

export async function compileLearnerAsync(path: string = DEFAULT_WASM): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(path));
}

/** One module instance: one live state at a time. */
export class Learner {
  readonly raw: LearnerExports;
  /** Features of the next reading (view of the module's input buffer, 32 × f32). */
  readonly input: Float32Array;
  private readonly mem: ArrayBuffer;
  private readonly out: DataView;
  private readonly ioF32: Float32Array;
  private readonly ioU8: Uint8Array;
  private readonly ioView: DataView;

  constructor(module: WebAssembly.Module = compileLearner()) {
    const inst = new WebAssembly.Instance(module, {});
    this.raw = inst.exports as unknown as LearnerExports;
    // The memory never grows (min = max = 1 page), so views stay valid for the instance's life.
    this.mem = this.raw.memory.buffer;
    this.input = new Float32Array(this.mem, this.raw.input_ptr(), 32);
    this.out = new DataView(this.mem, this.raw.output_ptr(), OUTPUT_BYTES);
    this.ioF32 = new Float32Array(this.mem, this.raw.io_ptr(), this.raw.io_cap() >> 2);
    this.ioU8 = new Uint8Array(this.mem, this.raw.io_ptr(), this.raw.io_cap());
    this.ioView = new DataView(this.mem, this.raw.io_ptr(), this.raw.io_cap());
  }

  static async open(path: string = DEFAULT_WASM): Promise<Learner> {
    return new Learner(path === DEFAULT_WASM ? compileLearner() : await compileLearnerAsync(path));
  }

  get kind(): Kind | 0 {
    return this.raw.kind();
  }
  get nFeatures(): number {
    return this.raw.n_features();
  }
  get stateLength(): number {
    return this.raw.state_len();
  }
  get stateCapacity(): number {
    return this.raw.state_cap();
  }

  /**
   * Fresh state with `config` applied (throws LearnerError). On error the previous state is kept,
   * also when the module refuses a parameter or range after the fresh state was made: otherwise a
   * typo in the configuration would replace a learned model with a default one. A learner that had
   * no state holds the kind's defaults after such an error (the module cannot go back to none).
   */
  create(kind: Kind, nFeatures: number, config: LearnerConfig = {}): this {
    const params = Object.entries(config.params ?? {});
    const ranges = Object.entries(config.ranges ?? {});
    const previous = this.kind !== 0 && params.length + ranges.length > 0 ? this.snapshot() : undefined;
    check(this.raw.create(kind, nFeatures), "create");
    try {
      for (const [id, v] of params) this.setParam(keyId(id, ErrorCode.Param, "create: parameter"), v as number);
      for (const [i, r] of ranges) this.setFeatureRange(keyId(i, ErrorCode.Features, "create: range of feature"), r[0], r[1]);
    } catch (e) {
      if (previous) this.load(previous);
      throw e;
    }
    return this;
  }

  setParam(id: Param | number, value: number): void {
    wholeId(id, ErrorCode.Param, "set_param");
    check(this.raw.set_param(id, value), `set_param(${Param[id] ?? id})`);
  }
  /** A parameter's value; NaN for an unknown id, also one that is not a whole number (the i32 argument made it id 0). */
  getParam(id: Param | number): number {
    return Number.isInteger(id) ? this.raw.get_param(id) : NaN;
  }
  /** Guard range of feature i (i = nFeatures: the target). */
  setFeatureRange(i: number, lo: number, hi: number): void {
    wholeId(i, ErrorCode.Features, "set_feature_range");
    check(this.raw.set_feature_range(i, lo, hi), `set_feature_range(${i})`);
  }
  reset(): void {
    check(this.raw.reset(), "reset");
  }

  /**
   * Copies features into the input buffer (or write `input` yourself and omit them). Exactly
   * nFeatures values, else a LearnerError: a shorter array left the previous reading's values in
   * the missing places, a longer one was cut, and either gave a wrong answer without a word.
   */
  setInput(features: ArrayLike<number>): void {
    const n = features.length;
    if (n !== this.nFeatures) {
      const code = this.kind === 0 ? ErrorCode.NoModel : ErrorCode.Features;
      throw new LearnerError(code, `setInput: ${n} features for a model of ${this.nFeatures}`);
    }
    for (let i = 0; i < n; i++) this.input[i] = features[i];
  }

  /** One reading: guard → predict → learn. Returns the flags (≥ 0) or throws on an error code. */
  learn(y: number, features?: ArrayLike<number>): number {
    if (features) this.setInput(features);
    const r = this.raw.learn_one(y);
    if (r < 0) throw new LearnerError(r, "learn_one");
    return r;
  }

  /** Guard + prediction only; the state does not change. */
  predict(features?: ArrayLike<number>): number {
    if (features) this.setInput(features);
    const r = this.raw.predict_one();
    if (r < 0) throw new LearnerError(r, "predict_one");
    return r;
  }

  // Fields of the last single call's output record.
  get prediction(): number {
    return this.out.getFloat32(0, true);
  }
  get score(): number {
    return this.out.getFloat32(4, true);
  }
  get error(): number {
    return this.out.getFloat32(8, true);
  }
  get extra(): number {
    return this.out.getFloat32(12, true);
  }
  get flags(): number {
    return this.out.getUint32(16, true);
  }
  get label(): number {
    return this.out.getInt32(20, true);
  }
  /** The last output record, into `into` when given (no allocation). */
  output(into?: Output): Output {
    const o = into ?? ({} as Output);
    o.prediction = this.prediction;
    o.score = this.score;
    o.error = this.error;
    o.extra = this.extra;
    o.flags = this.flags;
    o.label = this.label;
    return o;
  }

  /** Readings per learn_batch call that fit in the io region. */
  get batchCapacity(): number {
    return Math.floor(this.raw.io_cap() / ((this.nFeatures + 1) * 4 + OUTPUT_BYTES));
  }

  /**
   * Learns `rows` (n × (nFeatures + 1) f32: features then y), in chunks that fit io_cap.
   * Fills `outputs` when given. Returns the number of readings. Rows that are not whole
   * (ERR_LENGTH) or outputs with room for fewer readings (ERR_CAPACITY) throw before anything is
   * learned: the rest of the rows, or the outputs that did not fit, were dropped without a word.
   */
  learnBatch(rows: Float32Array, outputs?: BatchOutputs): number {
    const stride = this.nFeatures + 1;
    if (this.kind === 0) throw new LearnerError(ErrorCode.NoModel, "learn_batch");
    const total = rows.length / stride;
    if (!Number.isInteger(total)) throw new LearnerError(ErrorCode.Length, `learnBatch: ${rows.length} values are not whole rows of ${stride}`);
    if (outputs && outputRoom(outputs) < total) {
      throw new LearnerError(ErrorCode.Capacity, `learnBatch: outputs for fewer than the ${total} rows`);
    }
    const cap = this.batchCapacity;
    for (let done = 0; done < total; ) {
      const n = Math.min(cap, total - done);
      this.ioF32.set(rows.subarray(done * stride, (done + n) * stride));
      check(this.raw.learn_batch(n), "learn_batch");
      if (outputs) {
        const base = n * stride * 4;
        for (let i = 0; i < n; i++) {
          const o = base + i * OUTPUT_BYTES;
          const j = done + i;
          outputs.prediction[j] = this.ioView.getFloat32(o, true);
          outputs.score[j] = this.ioView.getFloat32(o + 4, true);
          outputs.error[j] = this.ioView.getFloat32(o + 8, true);
          outputs.extra[j] = this.ioView.getFloat32(o + 12, true);
          outputs.flags[j] = this.ioView.getUint32(o + 16, true);
          outputs.label[j] = this.ioView.getInt32(o + 20, true);
        }
      }
      done += n;
    }
    return total;
  }

  /** A copy of the state blob (CRC written). */
  snapshot(): Uint8Array {
    const len = this.raw.snapshot();
    if (len < 0) throw new LearnerError(len, "snapshot");
    return new Uint8Array(this.mem, this.raw.state_ptr(), len).slice();
  }

  /** Snapshot into a caller-owned buffer of the right length (no allocation); returns the length. */
  snapshotInto(target: Uint8Array): number {
    const len = this.raw.snapshot();
    if (len < 0) throw new LearnerError(len, "snapshot");
    if (target.length < len) throw new LearnerError(ErrorCode.Capacity, "snapshotInto");
    target.set(new Uint8Array(this.mem, this.raw.state_ptr(), len));
    return len;
  }

  private stage(blob: Uint8Array): number {
    if (blob.length > this.ioU8.length) return ErrorCode.Length;
    this.ioU8.set(blob);
    return blob.length;
  }

  /** 0 if the module would accept the blob, else an ErrorCode. The state is untouched. */
  validate(blob: Uint8Array): number {
    const n = this.stage(blob);
    return n < 0 ? n : this.raw.validate(n);
  }

  /** Loads a blob: 0, or an ErrorCode and the previous state is untouched. */
  load(blob: Uint8Array): number {
    const n = this.stage(blob);
    return n < 0 ? n : this.raw.load(n);
  }

  /** Counters are u32. */
  count(id: Count | number): number {
    return this.raw.get_count(id) >>> 0;
  }
  metric(id: Metric | number): number {
    return this.raw.get_metric(id);
  }
}

// The module takes ids and indices as i32, where a name (NaN) or a fraction becomes another id:
// `{ params: { l2: 0.1 } }` set the learning rate, a range keyed by a field name feature 0's range.

/** A configuration key as an id or index; a LearnerError with `code` when it is not a whole number. */
function keyId(key: string, code: ErrorCode, what: string): number {
  if (!/^-?\d+$/.test(key)) throw new LearnerError(code, `${what} ${JSON.stringify(key)} is not a number (use the Param ids or feature indices)`);
  return Number(key);
}

function wholeId(id: number, code: ErrorCode, what: string): void {
  if (!Number.isInteger(id)) throw new LearnerError(code, `${what}(${String(id)}): not a whole number`);
}

function check(code: number, what: string): void {
  if (code < 0) throw new LearnerError(code, what);
}
