// Payload → readings. A payload is parsed once (flat JSON object, or SenML array), then each reading
// is extracted straight into the learner's input view: features in configured order, the target and
// the timestamp into a reused result object. Nothing here keeps a reference to a reading, and
// failures carry a reason (host/codecs/reasons.ts), never the offending value.
//
// Values: numbers as they are; true/false as 1/0 (Zigbee2MQTT publishes booleans such as
// `occupancy`); null as NaN (a failed measurement: the module's guard refuses it as `nonfinite`);
// anything else where a number belongs is `wrong_type`. Timestamps: Unix milliseconds (numbers
// below 1e11 are taken as seconds), or an ISO 8601 string (UTC unless it has an offset:
// host/codecs/iso-time.ts), between 1970 and 2200 (else `bad_timestamp`:
// host/codecs/timestamp.ts); absent or null: the time of arrival.

import { decodeSenml, type SenmlReading } from "./senml.js";
import type { HostReason } from "./reasons.js";
import { plausibleTimestamp } from "./timestamp.js";
import { parseIsoTime } from "./iso-time.js";

export { decodeSenml, type SenmlReading } from "./senml.js";
export * from "./reasons.js";

export type InputFormat = "auto" | "json" | "senml";

export type Parsed =
  | { kind: "flat"; obj: Record<string, unknown> }
  | { kind: "senml"; readings: SenmlReading[] };

/** What extraction needs to know about a device. */
export interface FieldPlan {
  features: readonly string[];
  target?: string;
  tsField: string;
}

/** Reused per call: the target and timestamp of the reading just extracted. */
export interface Extracted {
  y: number;
  ts: number;
  /** ts came from the reading (a timestamp field or SenML time), not the time of arrival. */
  explicitTs?: boolean;
}

type Source = Record<string, unknown> | Map<string, number | string>;

const SECONDS_LIMIT = 1e11;

/** Parses one MQTT payload. */
export function parsePayload(payload: Uint8Array, format: InputFormat, maxBytes: number, nowMs: number): Parsed | HostReason {
  if (payload.byteLength > maxBytes) return "too_large";
  if (payload.byteLength === 0) return "malformed_json";
  // A UTF-8 byte order mark (some Windows tools write one before UTF-8 text) is not JSON:
  // decoding from after it keeps JSON.parse from refusing the payload, without copying it.
  const from = payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  let value: unknown;
  try {
    const text = Buffer.isBuffer(payload)
      ? payload.toString("utf8", from)
      : Buffer.from(payload.buffer, payload.byteOffset + from, payload.byteLength - from).toString("utf8");
    value = JSON.parse(text);
  } catch {
    return "malformed_json";
  }
  if (Array.isArray(value)) {
    if (format === "json") return "not_object";
    const r = decodeSenml(value, nowMs);
    return typeof r === "string" ? r : { kind: "senml", readings: r };
  }
  if (value === null || typeof value !== "object") return "not_object";
  if (format === "senml") return "bad_senml";
  return { kind: "flat", obj: value as Record<string, unknown> };
}

function get(src: Source, key: string): unknown {
  return src instanceof Map ? src.get(key) : Object.prototype.hasOwnProperty.call(src, key) ? src[key] : undefined;
}

/** A field value as a number; undefined when it has the wrong type. */
function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v === null) return NaN;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/**
 * A timestamp field as whole Unix ms (a fraction of a ms rounded, as SenML times and ISO strings
 * are: it would print in predictions, and two readings a fraction apart were two times); NaN if it
 * is not one, or not between 1970 and 2200.
 */
export function parseTimestamp(v: unknown): number {
  let ms = NaN;
  if (typeof v === "number") ms = Math.round(v < SECONDS_LIMIT ? v * 1000 : v);
  else if (typeof v === "string") ms = parseIsoTime(v);
  return plausibleTimestamp(ms) ? ms : NaN;
}

/**
 * Writes the features of one reading into `out` (in plan order) and its target and timestamp into
 * `res`. Returns null, or why the reading is refused (the module then never sees it). A missing
 * target is not a refusal: y is NaN, and the module predicts without learning (`no_target`).
 */
export function extract(
  src: Source,
  plan: FieldPlan,
  out: Float32Array,
  res: Extracted,
  defaultTs: number,
  senmlTs?: number,
): HostReason | null {
  const f = plan.features;
  for (let i = 0; i < f.length; i++) {
    const raw = get(src, f[i]);
    if (raw === undefined) return "missing_field";
    const v = toNumber(raw);
    if (v === undefined) return "wrong_type";
    out[i] = v;
  }
  if (plan.target !== undefined) {
    const raw = get(src, plan.target);
    if (raw === undefined) res.y = NaN;
    else {
      const v = toNumber(raw);
      if (v === undefined) return "wrong_type";
      res.y = v;
    }
  } else {
    res.y = NaN;
  }
  res.explicitTs = true;
  if (senmlTs !== undefined) {
    res.ts = senmlTs;
  } else {
    const t = get(src, plan.tsField);
    // null is how JSON producers commonly write "no value": the reading has no time of its own.
    if (t === undefined || t === null) {
      res.ts = defaultTs;
      res.explicitTs = false;
    } else {
      const ms = parseTimestamp(t);
      if (Number.isNaN(ms)) return "bad_timestamp";
      res.ts = ms;
    }
  }
  return null;
}

/** Feature fields inferred from a first reading: numeric or boolean fields except target and ts, sorted, at most 32. */
export function inferFeatures(src: Source, target: string | undefined, tsField: string, names?: readonly string[]): string[] {
  const keys = names ?? (src instanceof Map ? [...src.keys()] : Object.keys(src));
  return keys
    .filter((k) => k !== target && k !== tsField && toNumber(get(src, k)) !== undefined)
    .sort()
    .slice(0, 32);
}
