// Checks a device-based discovery message the way Home Assistant (2026.x) reads it, returning
// every problem found: topic shape, required keys, platforms, unique ids, default_entity_id (a
// fixed point of HA's slugify, unique; no object_id), device classes, availability, off_delay and
// expire_after, state topics that exist, and templates that render against a real payload to a
// state the entity accepts.

import { renderTemplate } from "./template.js";

export interface CheckContext {
  prefix: string;
  /** edgelearn's availability topic. */
  statusTopic: string;
  /** Real payloads by topic (a prediction and a health message of the device). */
  payloads: Map<string, string>;
  /** unique_ids seen in other devices' configs (must not repeat). */
  uniqueIds: Set<string>;
  /** default_entity_ids seen in other devices' configs (must not repeat), when given. */
  entityIds?: Set<string>;
}

const ID = /^[a-zA-Z0-9_-]+$/;
/** [a-z0-9] words joined by single `_`: what Home Assistant's slugify leaves as it is. */
const HA_OBJECT_ID = /^[a-z0-9]+(_[a-z0-9]+)*$/;
const PLATFORMS = new Set(["sensor", "binary_sensor"]);
const BINARY_CLASSES = new Set(["problem", "safety", "running", "connectivity"]);
const STATE_CLASSES = new Set(["measurement", "total", "total_increasing"]);
const ENTITY_CATEGORIES = new Set(["config", "diagnostic"]);
const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

export function checkDiscovery(topic: string, raw: string, ctx: CheckContext): string[] {
  const bad: string[] = [];
  const m = new RegExp(`^${ctx.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/device/([^/]+)/config$`).exec(topic);
  if (!m) return [`${topic}: not <prefix>/device/<id>/config`];
  if (!ID.test(m[1])) bad.push(`${topic}: the id ${m[1]} has characters outside [a-zA-Z0-9_-]`);
  let p: Record<string, any>;
  try {
    p = JSON.parse(raw);
  } catch {
    return [...bad, `${topic}: not JSON`];
  }
  const dev = p.dev ?? p.device;
  if (!dev || typeof dev !== "object") bad.push("dev: missing");
  else {
    const ids = dev.ids ?? dev.identifiers;
    if (!(typeof ids === "string" || (Array.isArray(ids) && ids.length > 0 && ids.every((x: unknown) => typeof x === "string")))) bad.push("dev.ids: missing");
    if (typeof dev.name !== "string" || !dev.name) bad.push("dev.name: missing");
  }
  const o = p.o ?? p.origin;
  if (!o || typeof o.name !== "string" || !o.name) bad.push("o.name: missing (origin is required for device discovery)");
  const avty = p.availability ?? p.avty;
  const checkAvailability = (a: unknown, where: string) => {
    if (!Array.isArray(a) || a.length === 0) return bad.push(`${where}availability: missing`);
    const ok = a.some((x: any) => (x.topic ?? x.t) === ctx.statusTopic && (x.payload_available ?? x.pl_avail ?? "online") === "online" && (x.payload_not_available ?? x.pl_not_avail ?? "offline") === "offline");
    if (!ok) bad.push(`${where}availability: not tied to ${ctx.statusTopic} online/offline`);
  };
  const cmps = p.cmps ?? p.components;
  if (!cmps || typeof cmps !== "object" || Object.keys(cmps).length === 0) return [...bad, "cmps: missing or empty"];
  for (const [key, c] of Object.entries<Record<string, any>>(cmps)) {
    const at = `cmps.${key}`;
    if (!ID.test(key)) bad.push(`${at}: component id outside [a-zA-Z0-9_-]`);
    const plat = c.p ?? c.platform;
    if (!PLATFORMS.has(plat)) {
      bad.push(`${at}.p: ${plat} is not a platform edgelearn should emit`);
      continue;
    }
    if (typeof c.unique_id !== "string" || !c.unique_id) bad.push(`${at}.unique_id: required with a device`);
    else if (ctx.uniqueIds.has(c.unique_id)) bad.push(`${at}.unique_id: ${c.unique_id} used twice`);
    else ctx.uniqueIds.add(c.unique_id);
    if ("object_id" in c || "object_id" in p) bad.push(`${at}: object_id is deprecated (2025.10) and ignored from 2026.4; use default_entity_id`);
    // HA slugifies the object id before using it: only its fixed points are kept as asked.
    if (typeof c.default_entity_id !== "string" || !new RegExp(`^${plat}\\.[a-z0-9_]+$`).test(c.default_entity_id)) {
      bad.push(`${at}.default_entity_id: expected ${plat}.<lower-case id>, got ${c.default_entity_id}`);
    } else if (!HA_OBJECT_ID.test(c.default_entity_id.slice(plat.length + 1))) {
      bad.push(`${at}.default_entity_id: ${c.default_entity_id} has a run of _ or one at an end, which Home Assistant's slugify would change`);
    } else if (c.default_entity_id.length > 255) {
      bad.push(`${at}.default_entity_id: longer than Home Assistant's 255 characters, which it would cut`);
    } else if (ctx.entityIds?.has(c.default_entity_id)) {
      bad.push(`${at}.default_entity_id: ${c.default_entity_id} used twice (Home Assistant would append _2)`);
    } else ctx.entityIds?.add(c.default_entity_id);
    if (c.availability ?? c.avty) checkAvailability(c.availability ?? c.avty, `${at}.`);
    else checkAvailability(avty, "");
    const st = c.state_topic ?? c.stat_t ?? p.state_topic;
    if (typeof st !== "string" || /[#+]/.test(st)) {
      bad.push(`${at}.state_topic: missing or a wildcard`);
      continue;
    }
    if (plat === "binary_sensor" && c.device_class !== undefined && !BINARY_CLASSES.has(c.device_class)) bad.push(`${at}.device_class: ${c.device_class}`);
    if (plat === "sensor" && c.state_class !== undefined && !STATE_CLASSES.has(c.state_class)) bad.push(`${at}.state_class: ${c.state_class}`);
    if (c.entity_category !== undefined && !ENTITY_CATEGORIES.has(c.entity_category)) bad.push(`${at}.entity_category: ${c.entity_category}`);
    // Both are seconds as a positive integer (HA's cv.positive_int); off_delay exists for binary sensors only.
    for (const opt of ["off_delay", "expire_after"]) {
      if (c[opt] !== undefined && !(Number.isInteger(c[opt]) && c[opt] > 0)) bad.push(`${at}.${opt}: ${c[opt]} is not a positive whole number of seconds`);
    }
    if (c.off_delay !== undefined && plat !== "binary_sensor") bad.push(`${at}.off_delay: only binary sensors have it`);
    const payload = ctx.payloads.get(st);
    if (payload === undefined) {
      bad.push(`${at}.state_topic: ${st} carried nothing to render against`);
      continue;
    }
    const tpl = c.value_template ?? c.val_tpl;
    let out: string;
    try {
      const r = renderTemplate(typeof tpl === "string" ? tpl : "{{ value }}", payload);
      if (r.undefinedUsed) bad.push(`${at}.value_template: uses a field the payload does not carry (${payload.slice(0, 120)})`);
      out = r.text.trim();
    } catch (e) {
      bad.push(`${at}.value_template: ${(e as Error).message}`);
      continue;
    }
    if (plat === "binary_sensor") {
      const on = c.payload_on ?? "ON";
      const off = c.payload_off ?? "OFF";
      if (out !== on && out !== off) bad.push(`${at}: renders ${JSON.stringify(out)}, expected ${on} or ${off}`);
    } else if (out !== "None" && !NUMERIC.test(out)) {
      // Every edgelearn sensor is numeric; "None" is HA's unknown (a value the module left out).
      bad.push(`${at}: renders ${JSON.stringify(out)}, not a number or None`);
    }
  }
  return bad;
}
