// What the service keeps per device beside its model state: the field plan, counters for health,
// and precomputed topics. No reading values are kept here.

import { DEVICE_REASONS, MODULE_REASONS, type FieldPlan } from "../codecs/index.js";
import type { ModelConfig } from "../config/types.js";
import type { CheckpointMeta } from "../store/types.js";
import { topicBytes } from "../mqtt/publish-packet.js";
import { PublishGate, EVERY_READING } from "./publish-rule.js";
import type { PublishConfig } from "../config/types.js";
import { ReleasedStats } from "../privacy/aggregate.js";

export const REASON_INDEX: ReadonlyMap<string, number> = new Map(DEVICE_REASONS.map((r, i) => [r, i]));
const MODULE_OFFSET = DEVICE_REASONS.length - MODULE_REASONS.length;

export class DeviceState {
  /** Feature plan; null until the features are known (configured, or inferred from the first reading). */
  plan: FieldPlan | null = null;
  /** Set when the model cannot be created (unsupported task, bad parameters): readings are refused. */
  failed: string | undefined;
  /**
   * Feature count of a restored blob whose features were inferred and whose checkpoint did not
   * record their names (written before it did): checked against the next reading.
   */
  restoredFeatures = -1;
  readings = 0;
  learned = 0;
  drifts = 0;
  /** Per reason (DEVICE_REASONS order). */
  readonly rejected = new Uint32Array(DEVICE_REASONS.length);
  /** Unix ms of the last reading learned (0: none): a redelivery not after it is a duplicate. Kept in checkpoints. */
  lastTs = 0;
  lastCheckpoint: CheckpointMeta | undefined;
  /** The model's metrics as last released for publication (host/privacy/aggregate.ts). */
  readonly stats = new ReleasedStats<Record<string, number>>();
  /** Something changed since the last health publish. */
  dirty = true;
  /** Which of its readings get a prediction published. */
  readonly gate: PublishGate;
  readonly topicPrediction: string;
  /** topicPrediction encoded once for the QoS 0 fast path. */
  readonly topicPredictionBytes: Buffer;
  readonly topicDrift: string;
  readonly topicHealth: string;

  constructor(
    readonly name: string,
    readonly model: ModelConfig,
    output: string,
    publish: PublishConfig = EVERY_READING,
  ) {
    this.gate = new PublishGate(publish);
    const base = `${output}/${name}`;
    this.topicPrediction = `${base}/prediction`;
    this.topicPredictionBytes = topicBytes(this.topicPrediction);
    this.topicDrift = `${base}/drift`;
    this.topicHealth = `${base}/health`;
  }

  /** The model's input fields in order, when known: the plan's, else the configured ones. */
  featureNames(): readonly string[] | undefined {
    return this.plan?.features ?? (this.model.features.length ? this.model.features : undefined);
  }

  reject(reason: string): void {
    const i = REASON_INDEX.get(reason);
    if (i !== undefined) this.rejected[i]++;
    this.readings++;
    this.dirty = true;
  }

  /** Counts the module's reject bits of one reading (bits 0–5). */
  moduleRejects(flags: number): void {
    for (let b = 0; b < MODULE_REASONS.length; b++) {
      if (flags & MODULE_REASONS[b][0]) this.rejected[MODULE_OFFSET + b]++;
    }
  }

  rejectedObject(): Record<string, number> {
    const o: Record<string, number> = {};
    for (let i = 0; i < DEVICE_REASONS.length; i++) if (this.rejected[i] > 0) o[DEVICE_REASONS[i]] = this.rejected[i];
    return o;
  }
}
