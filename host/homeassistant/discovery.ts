// Home Assistant MQTT discovery payloads, one table per task. Rules followed: Home Assistant
// 2026.x device-based discovery (docs/HOMEASSISTANT.md):
//   - one retained message per device on <prefix>/device/<id>/config with `dev` (the HA device),
//     `o` (origin: who publishes it) and `cmps` (components keyed by id, each with `p`, its platform);
//   - options shared by every component (availability) sit at the top level;
//   - each component has a `unique_id` and a `default_entity_id` (`object_id` was deprecated in
//     2025.10 and is ignored from 2026.4);
//   - an empty retained payload on the same topic removes the device and its entities.
// Every value comes from a topic edgelearn already publishes: the prediction and the health.
// Entities read from the prediction topic exist only while predictions are published, and are
// given the timing options that keep them true under the device's publish rule (entityTiming).

import { createHash } from "node:crypto";
import type { PublishConfig, Task } from "../config/types.js";
import { EVERY_READING } from "../service/publish-rule.js";

export interface DiscoveryTopics {
  /** HA discovery prefix (homeassistant.prefix). */
  prefix: string;
  /** edgelearn's output prefix (topics.output). */
  output: string;
}

export interface Component {
  p: "sensor" | "binary_sensor";
  name: string;
  unique_id: string;
  default_entity_id: string;
  state_topic: string;
  value_template: string;
  [key: string]: unknown;
}

export interface DevicePayload {
  dev: { ids: string[]; name: string; mf: string; mdl: string; sw: string };
  o: { name: string; sw: string };
  availability: { topic: string; payload_available: string; payload_not_available: string }[];
  qos: number;
  cmps: Record<string, Component>;
}

interface Row {
  key: string;
  p: Component["p"];
  name: string;
  /** prediction or health topic. */
  topic: "prediction" | "health";
  template: string;
  extra?: Record<string, unknown>;
}

// A field the module leaves out when it has no value (a NaN) renders as None, HA's "unknown".
const field = (f: string) => `{{ value_json.${f} | default(none) }}`;
const MEASURE = { state_class: "measurement" };
const DIAGNOSTIC = { entity_category: "diagnostic" };

const PROBLEM: Row = {
  key: "problem",
  p: "binary_sensor",
  name: "Anomaly or drift",
  topic: "prediction",
  template: "{{ 'ON' if ('anomaly' in value_json.flags or 'drift' in value_json.flags) else 'OFF' }}",
  extra: { device_class: "problem" },
};
const HEALTH: Row[] = [
  { key: "drifts", p: "sensor", name: "Drifts", topic: "health", template: "{{ value_json.drifts }}", extra: { state_class: "total_increasing", ...DIAGNOSTIC } },
  { key: "readings", p: "sensor", name: "Readings", topic: "health", template: "{{ value_json.readings }}", extra: { state_class: "total_increasing", ...DIAGNOSTIC } },
];

/** What a device's prediction topic carries: whether anything (output.predictions), and which readings. */
export interface PredictionOutput {
  predictions: boolean;
  /** The device's publish rule (output.publish, or its devices[] rule's). */
  publish: PublishConfig;
}

export const EVERY_PREDICTION: PredictionOutput = { predictions: true, publish: EVERY_READING };

/**
 * How long the problem sensor stays ON after the last flagged prediction, where the rule may never
 * publish the unflagged reading that would turn it OFF (flagged: never; change: not while the
 * prediction stays the same). With `flagged` the value sensors show the flagged reading's values
 * for as long, then go unavailable: no prediction is published between flagged readings.
 */
export const FLAGGED_HOLD_SECONDS = 60;

/** Timing options of an entity of the prediction topic under the device's publish rule. */
function entityTiming(r: Row, rule: PublishConfig): Record<string, unknown> {
  if (r.topic !== "prediction" || rule.mode === "every") return {};
  if (r === PROBLEM) return { off_delay: FLAGGED_HOLD_SECONDS };
  return rule.mode === "flagged" ? { expire_after: FLAGGED_HOLD_SECONDS } : {};
}

/** The components of each task: what its prediction payload carries, the problem flag, health counters. */
export const TASK_COMPONENTS: Record<Task, Row[]> = {
  regression: [
    { key: "prediction", p: "sensor", name: "Prediction", topic: "prediction", template: field("prediction"), extra: MEASURE },
    { key: "error", p: "sensor", name: "Prediction error", topic: "prediction", template: field("error"), extra: MEASURE },
  ],
  forecast: [
    { key: "prediction", p: "sensor", name: "Forecast", topic: "prediction", template: field("prediction"), extra: MEASURE },
    { key: "error", p: "sensor", name: "Forecast error", topic: "prediction", template: field("error"), extra: MEASURE },
    { key: "next", p: "sensor", name: "Next forecast", topic: "prediction", template: field("extra"), extra: MEASURE },
  ],
  classification: [
    { key: "prediction", p: "sensor", name: "Probability", topic: "prediction", template: field("prediction"), extra: MEASURE },
    { key: "label", p: "sensor", name: "Predicted class", topic: "prediction", template: field("label") },
    { key: "error", p: "sensor", name: "Log-loss", topic: "prediction", template: field("error"), extra: MEASURE },
  ],
  anomaly: [{ key: "score", p: "sensor", name: "Anomaly score", topic: "prediction", template: field("score"), extra: MEASURE }],
  cluster: [
    { key: "label", p: "sensor", name: "Cluster", topic: "prediction", template: field("label") },
    { key: "distance", p: "sensor", name: "Distance to centre", topic: "prediction", template: field("extra"), extra: MEASURE },
  ],
};

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");

/**
 * The HA id of an edgelearn device: `<output>_<device>` with anything outside [A-Za-z0-9_-]
 * replaced; when something had to be replaced, a short hash of the real name keeps two names
 * that differ only there apart.
 */
export function deviceId(output: string, device: string): string {
  const raw = `${output}_${device}`;
  const s = slug(raw);
  return s === raw ? s : `${s}_${createHash("sha1").update(raw).digest("hex").slice(0, 6)}`;
}

/** An entity id's object part: lower case, [a-z0-9_] only. */
export function entitySlug(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

export function configTopic(t: DiscoveryTopics, device: string): string {
  return `${t.prefix}/device/${deviceId(t.output, device)}/config`;
}

export function devicePayload(t: DiscoveryTopics, device: string, task: Task, version: string, out: PredictionOutput = EVERY_PREDICTION): DevicePayload {
  const id = deviceId(t.output, device);
  const topics = { prediction: `${t.output}/${device}/prediction`, health: `${t.output}/${device}/health` };
  const cmps: Record<string, Component> = {};
  // Without predictions the prediction topic stays silent: its entities would stay unknown forever.
  const rows = out.predictions ? [...TASK_COMPONENTS[task], PROBLEM, ...HEALTH] : HEALTH;
  for (const r of rows) {
    cmps[r.key] = {
      p: r.p,
      name: r.name,
      unique_id: `${id}_${r.key}`,
      default_entity_id: `${r.p}.${entitySlug(id)}_${r.key}`,
      state_topic: topics[r.topic],
      value_template: r.template,
      ...r.extra,
      ...entityTiming(r, out.publish),
    };
  }
  return {
    dev: { ids: [id], name: device, mf: "edgelearn", mdl: `${task} model`, sw: version },
    o: { name: "edgelearn", sw: version },
    availability: [{ topic: `${t.output}/status`, payload_available: "online", payload_not_available: "offline" }],
    qos: 0,
    cmps,
  };
}
