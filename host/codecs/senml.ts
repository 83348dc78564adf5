// SenML JSON (RFC 8428) → readings.
//
// A pack is an array of records. Base fields (bn, bt, bv) apply to their record and every later
// one until replaced. The resolved name is bn + n, the resolved time bt + t in seconds (values
// below 2^28 are relative to now, RFC 8428 §4.5.3) rounded to whole ms, the value bv + v, or vb
// (true → 1, false → 0); vs and vd are strings. Records with the same resolved time form one
// reading; readings come out in time order. A time that resolves outside 1970–2200 refuses the
// pack (`bad_timestamp`). A null `bt` or `t` is as if absent (RFC 8428 allows neither, but
// producers write null for "no value", and the flat codec reads `"ts": null` so): an absent t is
// 0, the base time, and with no base time either that is now. A field is reachable by its
// resolved name, and by its bare `n` when no other field of the reading has that name; features
// are inferred from those names (host/codecs/senml-names.ts).

import type { HostReason } from "./reasons.js";
import { plausibleTimestamp } from "./timestamp.js";
import { addBareNames } from "./senml-names.js";

export interface SenmlReading {
  /** Unix milliseconds. */
  ts: number;
  /** name → number, boolean or string (strings are refused later only if a feature needs them). */
  fields: Map<string, number | string>;
  /** Each field once, by its bare name `n` (its resolved name when n is empty or names another field too): for feature inference. */
  names: string[];
}

const RELATIVE_LIMIT = 2 ** 28;

function isNum(v: unknown): v is number {
  return typeof v === "number";
}

/** Decodes a parsed JSON array; returns readings or the reason it is not a SenML pack. */
export function decodeSenml(pack: unknown[], nowMs: number): SenmlReading[] | HostReason {
  if (pack.length === 0) return "bad_senml";
  let bn = "";
  let bt = 0;
  let bv = 0;
  const byTime = new Map<number, SenmlReading>();
  // Per reading: each resolved name → its bare name, until the pack is read.
  const bareOf = new Map<SenmlReading, Map<string, string>>();
  for (const rec of pack) {
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) return "bad_senml";
    const r = rec as Record<string, unknown>;
    const rbt = r.bt === null ? undefined : r.bt;
    const rt = r.t === null ? undefined : r.t;
    if (r.bn !== undefined) {
      if (typeof r.bn !== "string") return "bad_senml";
      bn = r.bn;
    }
    if (rbt !== undefined) {
      if (!isNum(rbt)) return "bad_senml";
      bt = rbt;
    }
    if (r.bv !== undefined) {
      if (!isNum(r.bv)) return "bad_senml";
      bv = r.bv;
    }
    if (r.n !== undefined && typeof r.n !== "string") return "bad_senml";
    if (rt !== undefined && !isNum(rt)) return "bad_senml";
    const n = (r.n as string | undefined) ?? "";
    const name = bn + n;
    let value: number | string;
    if (r.v !== undefined) {
      // A number, or null for a failed measurement (kept as NaN: the guard counts it as nonfinite).
      if (r.v === null) value = NaN;
      else if (!isNum(r.v)) return "wrong_type";
      else value = bv + r.v;
    } else if (r.vb !== undefined) {
      if (typeof r.vb !== "boolean") return "bad_senml";
      value = r.vb ? 1 : 0;
    } else if (r.vs !== undefined || r.vd !== undefined) {
      const s = r.vs ?? r.vd;
      if (typeof s !== "string") return "bad_senml";
      value = s;
    } else if (r.s !== undefined || r.bn !== undefined || rbt !== undefined || r.bv !== undefined || r.bver !== undefined || r.bu !== undefined) {
      // A record that only sets base fields (or a sum we do not use).
      continue;
    } else {
      return "bad_senml";
    }
    if (name === "") return "bad_senml";
    const tRel = bt + ((rt as number | undefined) ?? 0);
    if (!Number.isFinite(tRel)) return "bad_senml";
    // Whole ms, relative or absolute: a fraction would print in predictions, and records a
    // fraction of a ms apart would be readings of their own.
    const ts = Math.round(tRel < RELATIVE_LIMIT ? nowMs + tRel * 1000 : tRel * 1000);
    if (!plausibleTimestamp(ts)) return "bad_timestamp";
    let reading = byTime.get(ts);
    if (!reading) {
      reading = { ts, fields: new Map(), names: [] };
      byTime.set(ts, reading);
      bareOf.set(reading, new Map());
    }
    reading.fields.set(name, value);
    bareOf.get(reading)!.set(name, n !== "" ? n : name);
  }
  if (byTime.size === 0) return "bad_senml";
  const out = [...byTime.values()];
  for (const r of out) r.names = addBareNames(r.fields, bareOf.get(r)!);
  if (out.length > 1) out.sort((a, b) => a.ts - b.ts);
  return out;
}
