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
/** A short stable hash of an exact name: 6 hex digits of its SHA-1. */
const nameHash = (s: string) => createHash("sha1").update(s).digest("hex").slice(0, 6);

/**
 * The HA id of an edgelearn device: `<output>_<device>` with anything outside [A-Za-z0-9_-]
 * replaced; when something had to be replaced, a short hash of the real name keeps two names
 * that differ only there apart.
 */
export function deviceId(output: string, device: string): string {
  const raw = `${output}_${device}`;
  const s = slug(raw);
  return s === raw ? s : `${s}_${nameHash(raw)}`;
}

/**
 * A text as Home Assistant's `slugify` leaves it when it contains no letters outside ASCII: lower
 * case, every run of characters outside [a-z0-9] one `_`, none at either end. Home Assistant
 * slugifies the object part of a `default_entity_id` before using it; a string made of these
 * characters, without runs of `_` and without `_` at either end, comes back unchanged. (Its
 * slugify spells letters such as ä as ASCII first; here they are replaced like any other
 * character, as earlier releases did, so such names keep the entity ids Home Assistant made of
 * theirs; the hash below keeps names apart.)
 */
export function haSlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** Home Assistant cuts a longer entity id (MAX_LENGTH_STATE_ENTITY_ID), which could drop the hash. */
const MAX_ENTITY_ID = 255;
/** The most `<platform>.` and `_<component>` add around a device's object id. */
const ENTITY_ID_AROUND = Math.max(...[...Object.values(TASK_COMPONENTS).flat(), PROBLEM, ...HEALTH].map((r) => r.p.length + 1 + 1 + r.key.length));
const MAX_OBJECT_ID = MAX_ENTITY_ID - ENTITY_ID_AROUND;
const HASH_LEN = 6;
/** How an object id with a hash ends; a name ending so gets one too, so it cannot pass for another's. */
const HASH_TAIL = /_[0-9a-f]{6}$/;

/**
 * The object part shared by a device's entity ids (`<platform>.<this>_<component>`), always a
 * fixed point of Home Assistant's slugify, so the entity id asked for is the one Home Assistant
 * creates. `<output>_<device>` as it is when that is already such a slug (lower case, [a-z0-9_],
 * no runs of `_`, none at either end, not ending like a hash, short enough); otherwise its slug
 * plus `_` and a 6-hex-digit hash of the exact `<output>_<device>` (the hash deviceId uses), so
 * `Line-1`, `line-1` and `line_1` get three different ids.
 */
export function entityObjectId(output: string, device: string): string {
  const raw = `${output}_${device}`;
  if (raw.length <= MAX_OBJECT_ID && haSlug(raw) === raw && !HASH_TAIL.test(raw)) return raw;
  const s = haSlug(haSlug(raw).slice(0, MAX_OBJECT_ID - HASH_LEN - 1));
  return s ? `${s}_${nameHash(raw)}` : nameHash(raw);
}

export function configTopic(t: DiscoveryTopics, device: string): string {
  return `${t.prefix}/device/${deviceId(t.output, device)}/config`;
}

export function devicePayload(t: DiscoveryTopics, device: string, task: Task, version: string, out: PredictionOutput = EVERY_PREDICTION): DevicePayload {
  const id = deviceId(t.output, device);
  const objectId = entityObjectId(t.output, device);
  const topics = { prediction: `${t.output}/${device}/prediction`, health: `${t.output}/${device}/health` };
  const cmps: Record<string, Component> = {};
  // Without predictions the prediction topic stays silent: its entities would stay unknown forever.
  const rows = out.predictions ? [...TASK_COMPONENTS[task], PROBLEM, ...HEALTH] : HEALTH;
  for (const r of rows) {
    cmps[r.key] = {
      p: r.p,
      name: r.name,
      unique_id: `${id}_${r.key}`,
      default_entity_id: `${r.p}.${objectId}_${r.key}`,
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
