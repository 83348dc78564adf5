// The service's Prometheus metrics (prom-client). Host-wide series are always exported;
// per-device series (label `device`) only with http.perDeviceMetrics, since one label value per
// device multiplies the series by the fleet size.
//
// Most counters are read from the service's own counters when Prometheus scrapes (a `collect`
// callback), so the hot path pays nothing for them. Only what the service does not count itself is
// counted here from its events: anomalies, rollbacks, checkpoint timing (through timedStore), the
// time to handle one message, and event-loop lag (a 100 ms timer's lateness).

import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { FastHistogram } from "./fast-histogram.js";
import { DEVICE_REASONS, GLOBAL_REASONS } from "../codecs/index.js";
import { Flag } from "../learner/index.js";
import type { Device, Service } from "../service/service.js";
import type { CheckpointObserver } from "./timed-store.js";
import { predictionMetrics } from "./prediction-metrics.js";
import { DeviceTotals } from "./device-totals.js";

export const LATENCY_BUCKETS = [0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25];
const CHECKPOINT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const LAG_TICK_MS = 100;

/** Sets a counter to an absolute value read from the service (counters the service keeps itself). */
function setCounter<T extends string>(c: Counter<T>, value: number, labels?: Partial<Record<T, string>>): void {
  if (labels) c.inc(labels, value);
  else c.inc(value);
}

export class ServiceMetrics implements CheckpointObserver {
  readonly registry = new Registry();
  private readonly checkpointSeconds: FastHistogram;
  private readonly checkpoints: Counter;
  private readonly checkpointFailures: Counter;
  private readonly handleSeconds: FastHistogram;
  private readonly lag: FastHistogram;
  private anomalies = 0;
  private rollbacks = 0;
  private readonly deviceAnomalies = new Map<string, number>();
  private readonly deviceMetrics = new Map<string, Record<string, number>>();
  private lagTimer: NodeJS.Timeout | undefined;

  constructor(readonly perDevice = false) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    this.checkpointSeconds = new FastHistogram("edgelearn_checkpoint_duration_seconds", "Time to write one checkpoint transaction (one or more devices).", CHECKPOINT_BUCKETS, r);
    this.checkpoints = new Counter({ name: "edgelearn_checkpoints_total", help: "Device checkpoints written.", registers: [r] });
    this.checkpointFailures = new Counter({ name: "edgelearn_checkpoint_failures_total", help: "Checkpoint transactions that failed.", registers: [r] });
    this.handleSeconds = new FastHistogram("edgelearn_message_duration_seconds", "Time to handle one MQTT message (parse, learn, publish), per message.", LATENCY_BUCKETS, r);
    this.lag = new FastHistogram("edgelearn_event_loop_lag_seconds", `How late a ${LAG_TICK_MS} ms timer fires: the event loop's lag.`, LAG_BUCKETS, r);
  }

  written(seconds: number, checkpoints: number): void {
    this.checkpointSeconds.observe(seconds);
    this.checkpoints.inc(checkpoints);
  }

  failed(seconds: number): void {
    this.checkpointSeconds.observe(seconds);
    this.checkpointFailures.inc();
  }

  /** Registers the service's series and listens to its events. */
  attach(service: Service): this {
    const r = this.registry;
    const s = service;
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({ name, help, registers: [r], collect() { this.reset(); setCounter(this, read()); } });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [r], collect() { this.set(read()); } });

    counter("edgelearn_readings_total", "Readings received for known devices (learned, rejected or refused by the model).", () => s.counters.readings);
    counter("edgelearn_learned_total", "Readings the models learned from.", () => s.counters.learned);
    const totals = new DeviceTotals(s.pool);
    new Counter({
      name: "edgelearn_rejected_total",
      help: "Readings rejected per device reason (parse errors, missing fields, the guard's non-finite, range, stuck, spike, ...), summed over devices, forgotten ones included.",
      labelNames: ["reason"],
      registers: [r],
      collect() {
        this.reset();
        const sums = totals.rejected();
        DEVICE_REASONS.forEach((reason, i) => setCounter(this, sums[i], { reason }));
      },
    });
    new Counter({
      name: "edgelearn_refused_total",
      help: "Messages refused before reaching a device (unknown topic, device cap, retained, bad command).",
      labelNames: ["reason"],
      registers: [r],
      collect() {
        this.reset();
        for (const reason of GLOBAL_REASONS) setCounter(this, s.counters.refused[reason], { reason });
      },
    });
    counter("edgelearn_drifts_total", "Drifts detected, summed over devices, forgotten ones included.", () => totals.drifts());
    counter("edgelearn_anomalies_total", "Readings flagged as anomalous (score above the threshold).", () => this.anomalies);
    counter("edgelearn_rollbacks_total", "Rollbacks to a known-good checkpoint (guard or command).", () => this.rollbacks);
    counter("edgelearn_internal_errors_total", "Messages whose handling failed inside the host.", () => s.counters.internalErrors);
    gauge("edgelearn_devices", "Devices known to this host.", () => s.pool.size);
    gauge("edgelearn_devices_hot", "Devices with a live module instance.", () => s.pool.hot);
    gauge("edgelearn_devices_max", "pool.maxDevices.", () => s.pool.maxDevices);
    counter("edgelearn_swaps_total", "Device states swapped into a module instance (a cold device's reading).", () => s.pool.swaps);
    gauge("edgelearn_mqtt_connected", "1 while the broker connection is up.", () => (s.connection?.connected ? 1 : 0));
    counter("edgelearn_predictions_dropped_total", "Predictions dropped from the offline queue (oldest first).", () => s.outbox.droppedPredictions);
    counter("edgelearn_events_dropped_total", "Drift events and command replies dropped from the offline queue.", () => s.outbox.droppedEvents);
    gauge("edgelearn_outbox_queued", "Outputs waiting for the broker.", () => s.outbox.queued);

    if (this.perDevice) this.registerPerDevice(s);

    s.events.on("reading", (device, flags) => {
      if (!(flags & Flag.Anomaly)) return;
      this.anomalies++;
      if (this.perDevice) this.deviceAnomalies.set(device, (this.deviceAnomalies.get(device) ?? 0) + 1);
    });
    s.events.on("rollback", () => this.rollbacks++);
    s.events.on("handled", (ms) => this.handleSeconds.observe(ms / 1000));
    s.events.on("forget", (device) => {
      this.deviceAnomalies.delete(device);
      this.deviceMetrics.delete(device);
    });
    if (this.perDevice) s.events.on("health", (device, h) => this.deviceMetrics.set(device, predictionMetrics(h.metrics)));
    this.startLag();
    return this;
  }

  private registerPerDevice(s: Service): void {
    const r = this.registry;
    const perDevice = (name: string, help: string, read: (d: Device) => number) =>
      new Counter({
        name,
        help,
        labelNames: ["device"],
        registers: [r],
        collect() {
          this.reset();
          for (const d of s.pool.all()) setCounter(this, read(d), { device: d.name });
        },
      });
    perDevice("edgelearn_device_readings_total", "Readings of one device.", (d) => d.meta.readings);
    perDevice("edgelearn_device_learned_total", "Readings one device's model learned from.", (d) => d.meta.learned);
    perDevice("edgelearn_device_drifts_total", "Drifts detected on one device.", (d) => d.meta.drifts);
    const anomalies = this.deviceAnomalies;
    perDevice("edgelearn_device_anomalies_total", "Anomalous readings of one device (since this host started).", (d) => anomalies.get(d.name) ?? 0);
    new Counter({
      name: "edgelearn_device_rejected_total",
      help: "Rejected readings of one device, per reason.",
      labelNames: ["device", "reason"],
      registers: [r],
      collect() {
        this.reset();
        for (const d of s.pool.all()) {
          const rej = d.meta.rejected;
          for (let i = 0; i < rej.length; i++) if (rej[i] > 0) setCounter(this, rej[i], { device: d.name, reason: DEVICE_REASONS[i] });
        }
      },
    });
    const metrics = this.deviceMetrics;
    new Gauge({
      name: "edgelearn_device_model_metric",
      help: "One device's prequential model metric (mae, rmse, accuracy, logloss, their _ew forms, ...), as in its last published health.",
      labelNames: ["device", "metric"],
      registers: [r],
      collect() {
        this.reset();
        for (const [device, m] of metrics) for (const [metric, v] of Object.entries(m)) this.set({ device, metric }, v);
      },
    });
    new Gauge({
      name: "edgelearn_device_last_checkpoint_timestamp_seconds",
      help: "Unix time of one device's newest checkpoint.",
      labelNames: ["device"],
      registers: [r],
      collect() {
        this.reset();
        for (const d of s.pool.all()) if (d.meta.lastCheckpoint) this.set({ device: d.name }, d.meta.lastCheckpoint.time / 1000);
      },
    });
  }

  private startLag(): void {
    let expected = performance.now() + LAG_TICK_MS;
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      this.lag.observe(Math.max(0, now - expected) / 1000);
      expected = now + LAG_TICK_MS;
    }, LAG_TICK_MS);
    this.lagTimer.unref();
  }

  /** The exposition (Prometheus text format). */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  stop(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = undefined;
  }
}
