// Environment overrides: EDGELEARN_* variables written onto the configuration's data before it is
// validated (host/config/load.ts).
//
// A variable follows the setting's path (zigbee2mqtt style): EDGELEARN_MQTT__URL sets mqtt.url,
// EDGELEARN_STORE__CHECKPOINT__EVERY_SECONDS sets store.checkpoint.everySeconds (segments are
// matched ignoring case and underscores). Values are read as the setting's type: numbers,
// true/false, JSON or comma lists for lists; a setting that takes one value or a list
// (http.publicOrigin) reads a JSON or comma list as a list and anything else as the one value.
//
// A list is set whole (EDGELEARN_CLUSTER__SERVERS=a,b) or entry by entry (..._SERVERS__0=a,
// ..._SERVERS__1=b; EDGELEARN_DEVICES__0__TASK sets a field of an entry), never both ways at once:
// which one would win is not something a reader of the environment can tell. Entries extend or
// replace those of the config file's list, from index 0 with none left out, as a list written in
// the file would be.
//
// A variable that names no setting is refused, as an unknown key in the file is. Variables without
// `__` are not settings (EDGELEARN_CONFIG names the file), except a top-level setting by its name
// (EDGELEARN_DEVICES) and a name that starts like one (EDGELEARN_MQTT_URL): a typo of `__` that
// would otherwise be ignored.

import { configSchema } from "./schema.js";

export const ENV_PREFIX = "EDGELEARN_";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  description?: string;
  enum?: readonly unknown[];
};

const ROOT = configSchema as unknown as JsonSchema;

function norm(s: string): string {
  return s.toLowerCase().replace(/_/g, "");
}

/** A setting that holds a list: always, or as one choice of a one-value-or-list setting. */
function isList(s: JsonSchema | undefined): boolean {
  return s?.type === "array" || (Array.isArray(s?.type) && s.type.includes("array"));
}

function coerce(raw: string, schema: JsonSchema | undefined): unknown {
  const t = schema?.type;
  if (Array.isArray(t)) {
    // One value or a list: a variable that reads as a list is one; anything else stays the one
    // value, so a variable that held a single value before lists were allowed loads as it did.
    const one = t.find((x) => x !== "array");
    const list = t.includes("array") && (raw.trim().startsWith("[") || raw.includes(","));
    return coerce(raw, { ...schema, type: list || one === undefined ? "array" : one });
  }
  if (t === "integer" || t === "number") {
    const n = Number(raw.trim());
    return raw.trim() !== "" && Number.isFinite(n) ? n : raw;
  }
  if (t === "boolean") {
    const v = raw.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
    return raw;
  }
  if (t === "array") {
    if (raw.trim().startsWith("[")) {
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    }
    if (raw.trim() === "") return [];
    return raw.split(",").map((s) => coerce(s.trim(), schema?.items));
  }
  if (t === "object" || (t === undefined && raw.trim().startsWith("{"))) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** One level of a variable's path: the key in the data, and where it is. */
interface Step {
  key: string | number;
  schema: JsonSchema | undefined;
  /** The setting's path up to and including this key, as validation errors print it. */
  path: string;
}

/** A variable's segments as steps through the schema, or why they name no setting. */
function resolve(segs: string[]): Step[] | string {
  const steps: Step[] = [];
  let schema: JsonSchema | undefined = ROOT;
  let path = "";
  for (const seg of segs) {
    let key: string | number;
    let next: JsonSchema | undefined;
    if (isList(schema) && /^\d+$/.test(seg)) {
      key = Number(seg);
      next = schema!.items;
      path += `[${key}]`;
    } else {
      const found = schema?.properties ? Object.keys(schema.properties).find((p) => norm(p) === norm(seg)) : undefined;
      if (found !== undefined) {
        key = found;
        next = schema!.properties![found];
      } else if (typeof schema?.additionalProperties === "object") {
        key = seg.toLowerCase();
        next = schema.additionalProperties;
      } else {
        const known = Object.keys(schema?.properties ?? {});
        return isList(schema)
          ? `no such setting (${path} is a list: its entries are ${path}[0], [1], ...)`
          : `no such setting${known.length ? ` (${path ? `${path} has` : "expected one of"}: ${known.join(", ")})` : ""}`;
      }
      path += path ? `.${key}` : key;
    }
    steps.push({ key, schema: next, path });
    schema = next;
  }
  return steps;
}

/** The setting path a variable names, as segments; undefined for a variable that is no setting. */
function segmentsOf(name: string): string[] | undefined {
  if (!name.startsWith(ENV_PREFIX)) return undefined;
  const rest = name.slice(ENV_PREFIX.length);
  if (rest.includes("__")) return rest.split("__");
  const top = Object.keys(ROOT.properties ?? {}).map(norm);
  const words = rest.split("_");
  // EDGELEARN_MQTT_URL, EDGELEARN_HOME_ASSISTANT_ENABLED: a setting's path with `_` for `__`,
  // which resolve() then refuses by name.
  for (let i = 1; i <= words.length; i++) if (top.includes(norm(words.slice(0, i).join("")))) return [rest];
  return undefined; // EDGELEARN_CONFIG, EDGELEARN_REQUIRE_ALL...: not settings
}

/** The value at `keys` in `data`, or undefined. */
function at(data: unknown, keys: (string | number)[]): unknown {
  let node = data;
  for (const k of keys) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[k];
  }
  return node;
}

/** The indices a list set entry by entry leaves out. */
function holes(list: unknown[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) if (!(i in list)) out.push(i);
  return out;
}

/**
 * Applies EDGELEARN_A__B__C variables to `data`. Returns the problems (unknown settings, lists set
 * both ways or with entries left out, settings set twice) and a map from config path to the
 * variable that set it, so validation errors can name the variable.
 */
export function applyEnv(
  data: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { problems: string[]; sources: Map<string, string> } {
  const problems: string[] = [];
  const sources = new Map<string, string>();
  // List path → the variable that set it whole; → the keys to it and the variables that set entries.
  const wholeLists = new Map<string, string>();
  const entryLists = new Map<string, { keys: (string | number)[]; names: string[] }>();
  for (const name of Object.keys(env).sort()) {
    const segs = segmentsOf(name);
    if (segs === undefined) continue;
    const steps = resolve(segs);
    if (typeof steps === "string") {
      const typo = segs.length === 1 && segs[0].includes("_");
      problems.push(`${name}: ${typo ? 'no such setting (levels of a path are separated by "__": EDGELEARN_MQTT__URL sets mqtt.url)' : steps}`);
      continue;
    }
    const last = steps[steps.length - 1];
    const earlier = sources.get(last.path);
    if (earlier !== undefined) {
      problems.push(`${name}: sets ${last.path}, as ${earlier} does; give one of them`);
      continue;
    }
    let node = data as Record<string | number, unknown>;
    for (let i = 0; i < steps.length - 1; i++) {
      const { key, schema } = steps[i];
      const entry = typeof steps[i + 1].key === "number";
      let child = node[key];
      if (entry) {
        // One value of a one-value-or-list setting is a list of one, which entries then extend.
        if (!Array.isArray(child)) child = child === undefined || child === null || typeof child === "object" ? [] : [child];
        const keys = steps.slice(0, i + 1).map((s) => s.key);
        const list = entryLists.get(steps[i].path) ?? { keys, names: [] };
        list.names.push(name);
        entryLists.set(steps[i].path, list);
      } else if (child === undefined || child === null || typeof child !== "object") {
        child = schema?.type === "array" ? [] : {};
      }
      node[key] = child;
      node = child as Record<string | number, unknown>;
    }
    node[last.key] = coerce(env[name] ?? "", last.schema);
    if (isList(last.schema)) wholeLists.set(last.path, name);
    sources.set(last.path, name);
  }
  for (const [path, { keys, names }] of entryLists) {
    const whole = wholeLists.get(path);
    if (whole !== undefined) {
      problems.push(`${names[0]}: sets an entry of ${path}, which ${whole} sets whole; give the list one way`);
      continue;
    }
    const list = at(data, keys);
    const missing = Array.isArray(list) ? holes(list) : [];
    if (missing.length === 0) continue;
    problems.push(
      `${names.join(", ")}: ${path} has no entr${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")}; ` +
        `a list's entries are numbered from 0 with none left out`,
    );
    // Refused already: left in, its holes would be reported again as entries of no type.
    const parent = at(data, keys.slice(0, -1)) as Record<string | number, unknown>;
    delete parent[keys[keys.length - 1]];
  }
  return { problems, sources };
}
