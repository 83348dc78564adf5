// Health: the objects that say how each device and the host are doing, and their publication as
// retained messages (`<output>/<device>/health`, `<output>/health`), at most once per
// output.healthIntervalSeconds and only for what changed. The device object itself is built by
// health-record.ts (shared with the cluster worker); other parts add fields to it (the rollback
// guard's state) through addFields.

import { deviceHealthRecord, modelFacts } from "./health-record.js";
import type { ServiceCore } from "./core.js";
import type { Checkpoints } from "./checkpoints.js";
import { ok, unknownDevice, type Result } from "./result.js";

export class Health {
  private readonly started = Date.now();
  private lastAt = 0;
  private readonly fields: ((device: string) => Record<string, unknown>)[] = [];

  constructor(
    private readonly core: ServiceCore,
    private readonly checkpoints: Checkpoints,
  ) {}

  /** Adds fields to every device's health object (e.g. the rollback guard's state). */
  addFields(fn: (device: string) => Record<string, unknown>): void {
    this.fields.push(fn);
  }

  /** The health object of a device (reads the model's metrics; a device at rest is read through the spare instance). */
  device(name: string): Result<Record<string, unknown>> {
    const { core } = this;
    const d = core.pool.get(name);
    if (!d) return unknownDevice(name);
    const model = modelFacts(core.pool, d);
    let extra: Record<string, unknown> = {};
    for (const fn of this.fields) {
      try {
        extra = { ...extra, ...fn(name) };
      } catch (e) {
        core.log.error(`a health field provider failed: ${(e as Error).message}`);
      }
    }
    return ok(deviceHealthRecord(d.meta, core.now(), model, extra));
  }

  host(): Record<string, unknown> {
    const { core } = this;
    const { store, writes } = this.checkpoints;
    return {
      ts: core.now(),
      status: core.stopping ? "stopping" : "online",
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      devices: core.pool.size,
      max_devices: core.pool.maxDevices,
      hot: core.pool.hot,
      swaps: core.pool.swaps,
      readings: core.counters.readings,
      learned: core.counters.learned,
      refused: { ...core.counters.refused },
      internal_errors: core.counters.internalErrors,
      dropped_predictions: core.outbox.droppedPredictions,
      dropped_events: core.outbox.droppedEvents,
      queued: core.outbox.queued,
      store: store
        ? {
            type: core.config.store.type,
            problems: store.problems().length,
            last_checkpoint: this.checkpoints.lastTime || null,
            ...(writes.failure ? { write_error: writes.failure } : {}),
          }
        : null,
    };
  }

  /** Publishes retained health of changed devices (and the host), at most once per interval unless forced. */
  publish(force: boolean): void {
    const { core } = this;
    const t = core.now();
    if (!force && t - this.lastAt < core.config.output.healthIntervalSeconds * 1000) return;
    this.lastAt = t;
    for (const d of core.pool.all()) {
      if (!d.meta.dirty) continue;
      d.meta.dirty = false;
      const r = this.device(d.name);
      if (!r.ok) continue;
      const h = r.value;
      core.outbox.retained(d.meta.topicHealth, JSON.stringify(h));
      core.emit("health", d.name, h);
    }
    if (core.hostDirty || force) {
      core.hostDirty = false;
      core.outbox.retained(core.topics.hostHealth, JSON.stringify(this.host()));
    }
  }
}
