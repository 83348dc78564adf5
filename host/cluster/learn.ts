// One reading of one device in cluster mode: the same steps as the single-host service (codec →
// field plan → features into the learner's input → learn_one → prediction), on the shared
// DevicePool, with the stream sequence recorded per device so a checkpoint knows what it holds.
// Outputs go to a callback (the partition publishes them only while it holds the lease).
// A device is created only for a payload that parses, as on a single host, so junk on new device
// names cannot use up pool.maxDevices.

import { Flag, errorName } from "../learner/index.js";
import { extract, inferFeatures, parsePayload, type Extracted, type FieldPlan, type Parsed } from "../codecs/index.js";
import { SUPERVISED, type Config, type ModelConfig } from "../config/types.js";
import { modelFor } from "../config/load.js";
import { DevicePool, type PoolDevice } from "../devices/pool.js";
import { modelSpec } from "../devices/model.js";
import { DeviceState } from "../service/device.js";
import { predictionJson } from "../service/format.js";
import { publishableMetrics } from "../service/released-metrics.js";
import type { Logger } from "../logger.js";
import { taskMismatch } from "./checkpoint-fit.js";
import { featuresMismatch } from "../devices/checkpoint-features.js";

export class ClusterDeviceState extends DeviceState {
  /** Stream sequence of the last reading this device's state has seen (0: none). */
  seq = 0;
  /** Sequence and KV revision of its last written checkpoint (0: none). */
  savedSeq = 0;
  revision = 0;
  /**
   * The feature names its loaded checkpoint was learned on (undefined: none loaded, or a
   * checkpoint without names): with inferred features they become its plan at its next reading,
   * instead of names inferred again from that reading.
   */
  recordedFeatures: readonly string[] | undefined;
  constructor(
    name: string,
    model: ModelConfig,
    output: string,
    readonly partition: number,
  ) {
    super(name, model, output);
  }

  /** Also known before its next reading when its checkpoint recorded them (so a checkpoint written meanwhile keeps them). */
  override featureNames(): readonly string[] | undefined {
    return super.featureNames() ?? this.recordedFeatures;
  }
}

export type ClusterDevice = PoolDevice<ClusterDeviceState>;

export interface Outputs {
  prediction(device: ClusterDevice, json: string): void;
  drift(device: ClusterDevice, json: string): void;
}

export class ClusterLearner {
  readonly pool: DevicePool<ClusterDeviceState>;
  private readonly res: Extracted = { y: NaN, ts: 0 };
  readings = 0;
  learned = 0;
  /** Readings of devices not in the pool that created no device, by reason (worker health). */
  refused = { device_cap: 0, unknown_topic: 0, bad_payload: 0 };

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    module: WebAssembly.Module,
  ) {
    this.pool = new DevicePool<ClusterDeviceState>({ maxDevices: config.pool.maxDevices, hotInstances: config.pool.hotInstances, module });
  }

  /** The model configuration of a device name a rule accepts (or any, with pool.acceptUnknown); undefined: refused. */
  private modelOf(name: string): ModelConfig | undefined {
    const { model, rule } = modelFor(this.config, name);
    return rule < 0 && !this.config.pool.acceptUnknown ? undefined : model;
  }

  /** The device (created when a rule accepts it and the pool has room), or undefined (counted). */
  device(name: string, partition: number): ClusterDevice | undefined {
    const d = this.pool.get(name);
    if (d) return d;
    const model = this.modelOf(name);
    if (!model) {
      this.refused.unknown_topic++;
      return undefined;
    }
    const added = this.pool.add(name, new ClusterDeviceState(name, model, this.config.topics.output, partition));
    if (!added) this.refused.device_cap++;
    return added;
  }

  /**
   * Makes a checkpoint's blob the device's model when it is a model of the device's task learned
   * on the device's features (or records none): undefined, or why not (the device starts fresh).
   */
  restore(d: ClusterDevice, blob: Uint8Array, features: readonly string[] | undefined): string | undefined {
    const model = d.meta.model;
    const configured = model.features.length > 0 ? model.features : undefined;
    const why = taskMismatch(model, blob) ?? featuresMismatch(configured, features, model.target, this.config.input.timestampField);
    if (why !== undefined) return why;
    if (this.pool.load(d, blob) !== 0) return "module validation";
    d.meta.recordedFeatures = features;
    return undefined;
  }

  /**
   * The first reading of a device not in the pool, at stream sequence `seq`: its payload is parsed
   * before the device is created, and one that does not parse creates none (counted as
   * bad_payload, or unknown_topic / device_cap when the device would be refused anyway). The
   * device, or undefined.
   */
  firstReading(name: string, partition: number, payload: Uint8Array, seq: number, now: number, out: Outputs | undefined): ClusterDevice | undefined {
    const parsed = this.parse(payload, now);
    if (typeof parsed === "string") {
      if (!this.modelOf(name)) this.refused.unknown_topic++;
      else if (this.pool.full) this.refused.device_cap++;
      else this.refused.bad_payload++;
      return undefined;
    }
    const d = this.device(name, partition);
    if (d) this.learnParsed(d, parsed, seq, now, out);
    return d;
  }

  /** Learns one reading at stream sequence `seq` (the caller skipped those at or below d.meta.seq). */
  reading(d: ClusterDevice, payload: Uint8Array, seq: number, now: number, out: Outputs | undefined): void {
    this.learnParsed(d, this.parse(payload, now), seq, now, out);
  }

  private parse(payload: Uint8Array, now: number): Parsed | string {
    const c = this.config.input;
    return parsePayload(payload, c.format, c.maxPayloadBytes, now);
  }

  private learnParsed(d: ClusterDevice, parsed: Parsed | string, seq: number, now: number, out: Outputs | undefined): void {
    const st = d.meta;
    st.seq = seq;
    st.dirty = true;
    if (typeof parsed === "string") return st.reject(parsed);
    if (parsed.kind === "flat") this.one(d, parsed.obj, now, undefined, undefined, out);
    else for (const r of parsed.readings) this.one(d, r.fields, now, r.ts, r.names, out);
  }

  private one(d: ClusterDevice, src: Record<string, unknown> | Map<string, number | string>, now: number, senmlTs: number | undefined, names: string[] | undefined, out: Outputs | undefined): void {
    const st = d.meta;
    if (st.failed !== undefined) return st.reject("model_error");
    if (st.plan === null && !this.plan(d, src, names)) return;
    const l = this.pool.use(d);
    const why = extract(src, st.plan!, l.input, this.res, now, senmlTs);
    if (why !== null) return st.reject(why);
    const flags = l.raw.learn_one(this.res.y);
    this.readings++;
    st.readings++;
    if (flags < 0) {
      st.reject("model_error");
      this.log.error(`device ${d.name}: learn_one failed: ${errorName(flags)}`);
      return;
    }
    if (flags & 0x3f) st.moduleRejects(flags);
    if (flags & Flag.Learned) {
      st.learned++;
      this.learned++;
      st.stats.observe(publishableMetrics, l);
    }
    if (!out) return;
    if (this.config.output.predictions) out.prediction(d, predictionJson(this.res.ts, l, flags, (flags & Flag.Predicted) !== 0));
    if (flags & Flag.Drift) {
      st.drifts++;
      // Released metrics only, as on a single host (host/privacy/aggregate.ts).
      out.drift(d, JSON.stringify({ ts: this.res.ts, reading: st.readings, drifts: st.drifts, metrics: st.stats.value ?? {} }));
    }
  }

  /**
   * Features (configured, else those its checkpoint recorded, else inferred from this first
   * reading) and, unless a checkpoint fits them, a new model.
   */
  private plan(d: ClusterDevice, src: Record<string, unknown> | Map<string, number | string>, names?: string[]): boolean {
    const st = d.meta;
    const m = st.model;
    const features = m.features.length ? m.features : (st.recordedFeatures ?? inferFeatures(src, m.target, this.config.input.timestampField, names));
    if (features.length === 0 && m.task !== "forecast") {
      st.reject("no_features");
      return false;
    }
    st.plan = { features, target: SUPERVISED.has(m.task) ? m.target : undefined, tsField: this.config.input.timestampField } satisfies FieldPlan;
    if (d.hasModel) {
      if (this.pool.use(d).nFeatures === features.length) return true;
      this.log.warn(`device ${d.name}: its checkpoint has another feature count than its readings (${features.length}); starting fresh`);
    }
    const spec = modelSpec(m, features, `device ${d.name}`);
    try {
      if (Array.isArray(spec)) throw new Error(spec.join("; "));
      this.pool.create(d, spec.kind, spec.nFeatures, spec.config);
      return true;
    } catch (e) {
      st.failed = (e as Error).message;
      this.log.error(`device ${d.name}: cannot create its ${m.task} model: ${st.failed}; its readings are refused (model_error)`);
      st.reject("model_error");
      return false;
    }
  }
}
