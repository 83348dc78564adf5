// Environment overrides: EDGELEARN_* variables written onto the configuration's data before it is
// validated (host/config/load.ts).
//
// A variable follows the setting's path (zigbee2mqtt style): EDGELEARN_MQTT__URL sets mqtt.url,
// EDGELEARN_STORE__CHECKPOINT__EVERY_SECONDS sets store.checkpoint.everySeconds (segments are
// matched ignoring case and underscores). Values are read as the setting's type: numbers,
// true/false, JSON or comma lists for lists, JSON for a section (EDGELEARN_MQTT='{"url": ...}'); a
// setting that takes one value or a list (http.publicOrigin) reads a JSON or comma list as a list
// and anything else as the one value. A list or section given whole replaces the file's.
//
// A list is set whole (EDGELEARN_CLUSTER__SERVERS=a,b) or entry by entry (..._SERVERS__0=a,
// ..._SERVERS__1=b; EDGELEARN_DEVICES__0__TASK sets a field of an entry), never both ways at once:
// which one would win is not something a reader of the environment can tell. The same holds for a
// section given whole and a setting inside it, and for one setting named by two variables. Entries
// extend or replace those of the config file's list, from index 0 with none left out, as a list
// written in the file would be.
//
// A variable that names no setting is refused, as an unknown key in the file is, with the name it
// most likely meant: EDGELEARN_MQTT__URLL, EDGELEARN_MQTT_URL and EDGELEARN_MQTTURL alike. The only
// other EDGELEARN_ variables are the project's own (env-names.ts: EDGELEARN_CONFIG names the file).

import { configSchema } from "./schema.js";
import { NOT_SETTINGS, closest, norm, settingVariable } from "./env-names.js";

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

/**
 * Why a value written as JSON for a list or a section (it starts with "[" or "{") does not parse;
 * undefined when it parses or is not JSON. Said as such: the schema would only see a string.
 */
function jsonProblem(raw: string, schema: JsonSchema | undefined): string | undefined {
  const v = raw.trim();
  const json = (v.startsWith("[") && isList(schema)) || (v.startsWith("{") && (schema?.type === "object" || schema?.type === undefined));
  if (!json) return undefined;
  try {
    JSON.parse(v);
    return undefined;
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
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
        if (isList(schema)) return `no such setting (${path} is a list: its entries are ${path}[0], [1], ...)`;
        if (known.length === 0) return `no such setting (${path} is one value: ${settingVariable(steps.map((s) => String(s.key)))} sets it)`;
        return `no such setting (${path ? `${path} has` : "expected one of"}: ${known.join(", ")})`;
      }
      path += path ? `.${key}` : key;
    }
    steps.push({ key, schema: next, path });
    schema = next;
  }
  return steps;
}

/** Every section and setting by the variable that sets it, for the name a mistyped one meant. */
function settingVariables(schema: JsonSchema = ROOT, path: string[] = []): { variable: string; path: string }[] {
  const here = path.length ? [{ variable: settingVariable(path), path: path.join(".") }] : [];
  if (schema.type !== "object" || !schema.properties) return here;
  return [...here, ...Object.entries(schema.properties).flatMap(([k, s]) => settingVariables(s, [...path, k]))];
}

/**
 * Why a variable without `__` names no setting, with the variable (or other EDGELEARN_ name) it
 * most likely meant: EDGELEARN_MQTTURL and EDGELEARN_MQTT_URL both mean EDGELEARN_MQTT__URL.
 */
function unknownVariable(name: string): string {
  const candidates = [...settingVariables(), ...NOT_SETTINGS.map((variable) => ({ variable, path: undefined }))];
  const best = closest(name, candidates);
  const meant = best ? `did you mean ${best.variable}${best.path ? ` (${best.path})` : ""}? ` : "";
  return `no such setting; ${meant}Rename it ("__" between levels) or unset it: an EDGELEARN_ variable other than ${NOT_SETTINGS[0]} must name a setting`;
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

/** A variable that names a setting, and the steps to it. */
interface Variable {
  name: string;
  steps: Step[];
}

/** The variables that name settings, and a problem for each EDGELEARN_ variable that names none. */
function settingsOf(env: NodeJS.ProcessEnv, problems: string[]): Variable[] {
  const vars: Variable[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || NOT_SETTINGS.includes(name)) continue;
    const rest = name.slice(ENV_PREFIX.length);
    // Without `__`: a top-level setting by its name (EDGELEARN_DEVICES, EDGELEARN_HOME_ASSISTANT).
    const steps = resolve(rest.includes("__") ? rest.split("__") : [rest]);
    if (typeof steps !== "string") vars.push({ name, steps });
    else problems.push(`${name}: ${rest.includes("__") ? steps : unknownVariable(name)}`);
  }
  return vars;
}

function pathOf(v: Variable): string {
  return v.steps[v.steps.length - 1].path;
}

/**
 * Why `inner` cannot be applied with `outer`, when both set one setting or `outer` sets whole a
 * list or section `inner` sets a part of; undefined when they set different settings.
 */
function overlap(outer: Variable, inner: Variable): string | undefined {
  const o = pathOf(outer);
  const i = pathOf(inner);
  if (i === o) return `sets ${i}, as ${outer.name} does; give one of them`;
  if (!i.startsWith(`${o}.`) && !i.startsWith(`${o}[`)) return undefined;
  return isList(outer.steps[outer.steps.length - 1].schema)
    ? `sets an entry of ${o}, which ${outer.name} sets whole; give the list one way`
    : `sets ${i}, inside ${o}, which ${outer.name} sets whole; give ${o} one way: whole, or setting by setting`;
}

/**
 * The variables that can be applied together: of two that set one setting, the first by name; of a
 * list or section set whole and a part of it set too, the whole. A problem for each left out.
 */
function withoutOverlaps(vars: Variable[], problems: string[]): Variable[] {
  return vars.filter((inner) => {
    for (const outer of vars) {
      if (outer === inner || (pathOf(outer) === pathOf(inner) && outer.name > inner.name)) continue;
      const why = overlap(outer, inner);
      if (why !== undefined) {
        problems.push(`${inner.name}: ${why}`);
        return false;
      }
    }
    return true;
  });
}

/**
 * Applies EDGELEARN_A__B__C variables to `data`. Returns the problems (unknown settings, a list or
 * section set both whole and in parts, settings set twice, list entries left out) and a map from
 * config path to the variable that set it, so validation errors can name the variable.
 */
export function applyEnv(
  data: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { problems: string[]; sources: Map<string, string> } {
  const problems: string[] = [];
  const sources = new Map<string, string>();
  // List path → the keys to it and the variables that set entries.
  const entryLists = new Map<string, { keys: (string | number)[]; names: string[] }>();
  for (const { name, steps } of withoutOverlaps(settingsOf(env, problems), problems)) {
    const last = steps[steps.length - 1];
    const badJson = jsonProblem(env[name] ?? "", last.schema);
    if (badJson !== undefined) {
      problems.push(`${name}: ${badJson}`);
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
    sources.set(last.path, name);
  }
  for (const [path, { keys, names }] of entryLists) {
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
