// A device's life in the service: created when a rule accepts its first reading (or a restored
// checkpoint), its model made once its features are known, restored from the store at start,
// replaced by a blob, reset, forgotten. Parking a cold device's state between readings is the
// pool's job (host/devices/pool.ts); this file decides which devices exist and what they hold.

import { LearnerError, ErrorCode, errorName } from "../learner/index.js";
import { inferFeatures, type FieldPlan } from "../codecs/index.js";
import { modelFor, mergeRule, ConfigError } from "../config/load.js";
import { SUPERVISED, type Config, type ModelConfig } from "../config/types.js";
import type { DevicePool } from "../devices/pool.js";
import { modelSpec, KIND_TASK } from "../devices/model.js";
import { featuresMismatch } from "../devices/checkpoint-features.js";
import type { StateStore, StoredBlob } from "../store/types.js";
import type { CheckpointPolicy } from "../store/policy.js";
import { restoreAll } from "../store/restore.js";
import { DeviceState } from "./device.js";
import { publishRuleFor } from "./publish-rule.js";
import type { Device, ServiceCore } from "./core.js";
import { ok, fail, unknownDevice, type Result } from "./result.js";

/** Every configured model must be one this learner.wasm can create (else: ConfigError before connecting). */
export function checkModels(config: Config, pool: DevicePool<DeviceState>): void {
  const problems: string[] = [];
  const l = pool.spare();
  const tryModel = (path: string, m: ModelConfig) => {
    const spec = modelSpec(m, m.features, path);
    if (Array.isArray(spec)) return problems.push(...spec);
    try {
      // Inferred features: try the model on one feature; the count is checked per device later.
      l.create(spec.kind, Math.max(1, spec.nFeatures), spec.config);
    } catch (e) {
      const code = e instanceof LearnerError ? e.code : NaN;
      problems.push(
        code === -3
          ? `${path}.task: "${m.task}" is not supported by this learner module`
          : `${path}: the module refused this model: ${(e as Error).message}`,
      );
    }
  };
  tryModel("model", config.model);
  config.devices.forEach((r, i) => tryModel(`devices[${i}]`, mergeRule(config.model, r)));
  if (problems.length) throw new ConfigError(problems);
}

export class DeviceLifecycle {
  constructor(
    private readonly core: ServiceCore,
    private readonly store: StateStore | undefined,
    private readonly policy: CheckpointPolicy | undefined,
  ) {}

  /** The device for a name, created if a rule accepts it and the pool has room. */
  deviceFor(name: string, restoring = false): Device | undefined {
    const { core } = this;
    const d = core.pool.get(name);
    if (d) return d;
    const { model, rule } = modelFor(core.config, name);
    if (rule < 0 && !core.config.pool.acceptUnknown) {
      if (!restoring) core.refuseTopic("unknown_topic", core.topics.inPrefix + name);
      return undefined;
    }
    const added = core.pool.add(name, new DeviceState(name, model, core.topics.out, publishRuleFor(core.config, rule)));
    if (!added) {
      if (!restoring) core.refuseTopic("device_cap", core.topics.inPrefix + name);
      return undefined;
    }
    core.hostDirty = true;
    core.log.debug(() => `new device ${name} (${model.task}${rule >= 0 ? `, rule ${rule}` : ""})`);
    return added;
  }

  /**
   * Why a reading of a device that does not exist yet is refused whatever its payload (no rule
   * accepts the name, the pool is full), or undefined: `deviceFor` would create it.
   */
  refusal(name: string): "unknown_topic" | "device_cap" | undefined {
    const { config, pool } = this.core;
    if (!config.pool.acceptUnknown && modelFor(config, name).rule < 0) return "unknown_topic";
    return pool.full ? "device_cap" : undefined;
  }

  /**
   * Fixes the device's features (configured, or inferred from this first reading) and creates its
   * model: undefined, or the reason its reading is refused (no_features, model_error).
   */
  plan(d: Device, src: Record<string, unknown> | Map<string, number | string>, names?: string[]): "no_features" | "model_error" | undefined {
    const { core } = this;
    const st = d.meta;
    const m = st.model;
    const features = m.features.length ? m.features : inferFeatures(src, m.target, core.config.input.timestampField, names);
    if (features.length === 0 && m.task !== "forecast") return "no_features";
    st.plan = this.planOf(m, features);
    if (d.hasModel && (st.restoredFeatures < 0 || st.restoredFeatures === features.length)) {
      if (st.restoredFeatures >= 0) core.log.info(`device ${d.name}: restored model continues with features ${features.join(", ")}`);
      return undefined;
    }
    if (d.hasModel) core.log.warn(`device ${d.name}: restored model had ${st.restoredFeatures} features, the readings now have ${features.length}; starting fresh`);
    const spec = modelSpec(m, features, `device ${d.name}`);
    try {
      if (Array.isArray(spec)) throw new Error(spec.join("; "));
      core.pool.create(d, spec.kind, spec.nFeatures, spec.config);
      core.log.info(`device ${d.name}: new ${m.task} model on ${features.length} features (${features.join(", ") || "none"})${st.plan.target ? `, target ${st.plan.target}` : ""}`);
      return undefined;
    } catch (e) {
      st.failed = (e as Error).message;
      core.log.error(`device ${d.name}: cannot create its ${m.task} model: ${st.failed}; its readings are refused (model_error)`);
      return "model_error";
    }
  }

  /** Brings back every device the store holds a valid checkpoint of (at start); `restored` hears of each one brought back. */
  restore(restored: (device: string, from: StoredBlob) => void = () => {}): void {
    const { core } = this;
    const store = this.store!;
    const log = core.log.child("store");
    const spare = core.pool.spare();
    const results = restoreAll(store, (b) => spare.validate(b), (m) => log.warn(m));
    let n = 0;
    for (const r of results) {
      if (!r.restored) continue;
      const d = this.deviceFor(r.device, true);
      if (!d) {
        log.warn(`device ${r.device}: not restored (${core.pool.full ? "pool.maxDevices reached" : "no rule accepts it"})`);
        continue;
      }
      if (this.install(d, r.restored.blob, r.restored.features) !== 0) {
        log.warn(`device ${r.device}: starts fresh`);
        continue;
      }
      d.meta.lastCheckpoint = r.restored.meta;
      d.meta.lastTs = r.restored.lastTs ?? 0;
      restored(r.device, r.restored);
      n++;
    }
    if (results.length) log.info(`restored ${n} of ${results.length} devices from the store`);
  }

  /**
   * Makes a valid blob the device's state if it fits the device's configuration (same task, same
   * features): 0, or the module's error (ERR_KIND / ERR_FEATURES with a log line saying why).
   * `features` are the names its checkpoint recorded: they must be the device's features, and a
   * device whose features are inferred takes them as its plan (fixed, as before the restart).
   * Without them (a blob from elsewhere, an older checkpoint) only the count can be compared: with
   * inferred features it is checked again against the next reading.
   */
  install(d: Device, blob: Uint8Array, features?: readonly string[]): number {
    const { core } = this;
    const spare = core.pool.spare();
    const r = spare.load(blob);
    if (r !== 0) return r;
    const st = d.meta;
    const m = st.model;
    const task = KIND_TASK[spare.kind];
    if (task !== m.task) {
      core.log.warn(`device ${d.name}: the checkpoint is a ${task ?? "unknown"} model, the configuration says ${m.task}; not loaded`);
      return ErrorCode.Kind;
    }
    const notLoaded = (why: string) => {
      core.log.warn(`device ${d.name}: ${why}; not loaded`);
      return ErrorCode.Features;
    };
    if (features && features.length !== spare.nFeatures) return notLoaded(`the checkpoint records ${features.length} feature names for a model of ${spare.nFeatures}`);
    const current = st.featureNames();
    if (current && spare.nFeatures !== current.length) return notLoaded(`the checkpoint has ${spare.nFeatures} features, the configuration ${current.length}`);
    const mismatch = featuresMismatch(current, features, m.target, core.config.input.timestampField);
    if (mismatch) return notLoaded(mismatch);
    const loaded = core.pool.load(d, blob);
    if (loaded !== 0) return loaded;
    if (!current && features) st.plan = this.planOf(m, features);
    st.restoredFeatures = current || features ? -1 : spare.nFeatures;
    return 0;
  }

  /** The field plan of a model over `features`. */
  private planOf(m: ModelConfig, features: readonly string[]): FieldPlan {
    return { features, target: SUPERVISED.has(m.task) ? m.target : undefined, tsField: this.core.config.input.timestampField };
  }

  /** A copy of the device's state blob. */
  snapshot(name: string): Result<Uint8Array> {
    const d = this.core.pool.get(name);
    if (!d) return unknownDevice(name);
    const blob = this.core.pool.snapshot(d);
    return blob ? ok(blob) : fail("no_model", `device ${name} has no model yet`);
  }

  /** Replaces a device's state with a blob (validated by the module; the device is created if a rule accepts it). */
  load(name: string, blob: Uint8Array): Result<void> {
    const { core } = this;
    const d = this.deviceFor(name, true);
    if (!d) return fail("capacity", `device ${name}: ${core.pool.full ? "pool.maxDevices reached" : "no rule accepts it"}`);
    const r = this.install(d, blob);
    if (r !== 0) return fail("refused", `blob refused: ${errorName(r)}`);
    d.meta.failed = undefined;
    d.meta.stats.restart(true);
    d.meta.dirty = true;
    core.log.info(`device ${name}: state replaced by a loaded blob`);
    // Before the caller checkpoints the loaded state, so what is kept beside it is about this model.
    core.emit("load", name);
    return ok(undefined);
  }

  /**
   * Forgets what the device learned (keeps its configuration); `purge`: its checkpoints were
   * deleted (Checkpoints.purge), nothing is pending. Without purge the caller checkpoints the reset
   * state (Checkpoints.replaced).
   */
  reset(name: string, purge = false): Result<{ purged: boolean }> {
    const { core } = this;
    const d = core.pool.get(name);
    if (!d) return unknownDevice(name);
    if (d.hasModel) core.pool.use(d).reset();
    d.meta.stats.restart(true);
    // With purge, Service.resetDevice has deleted the checkpoints already (before any change here).
    if (purge && this.store) {
      d.meta.lastCheckpoint = undefined;
      this.policy?.saved(name); // nothing stored, nothing pending: a restart starts it fresh
    }
    d.meta.dirty = true;
    core.log.info(`device ${name}: reset${purge ? " and checkpoints purged" : ""}`);
    core.emit("reset", name);
    return ok({ purged: purge });
  }

  /** Drops the device: its model and its retained health (its checkpoints were deleted by
   * Checkpoints.purge first). A later reading starts it afresh. */
  forget(name: string): Result<void> {
    const { core } = this;
    const d = core.pool.get(name);
    if (!d) return unknownDevice(name);
    // Service.forgetDevice has deleted its checkpoints already (before any change here).
    core.pool.remove(d);
    this.policy?.saved(name);
    core.outbox.retained(d.meta.topicHealth, "");
    core.hostDirty = true;
    core.log.info(`device ${name}: forgotten`);
    core.emit("forget", name);
    return ok(undefined);
  }
}

