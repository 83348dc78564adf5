// Loading the configuration: one JSON or YAML file, then environment overrides, then command-line
// overrides, validated against host/config/schema.ts with defaults filled in.
//
// Environment overrides: host/config/env.ts.
//
// Every problem is reported as "path: message" (ConfigError.problems), all of them at once.

import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import YAML from "yaml";
import { configSchema, HTTP_PASSWORD_MIN_LENGTH, HTTP_TOKEN_MIN_LENGTH, MQTT_PASSWORD_MIN_LENGTH } from "./schema.js";
import { SUPERVISED, type Config, type ConfigOverrides, type ModelConfig, type DeviceRule } from "./types.js";
import { checkHttp } from "./http.js";
import { readSecretFile } from "./secret-file.js";
import { applyEnv, type JsonSchema } from "./env.js";

export { ENV_PREFIX, applyEnv } from "./env.js";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

export interface LoadOptions {
  /** JSON or YAML file; absent: defaults (plus env and overrides). */
  file?: string;
  /** Environment to read EDGELEARN_* overrides from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Applied last (command-line flags): any settings of the configuration, each list given whole. */
  overrides?: ConfigOverrides;
}

let validator: ReturnType<Ajv["compile"]> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    // Union types for the settings that take one value or a list (type [T, "array"]).
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true });
    validator = ajv.compile(configSchema as object);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** JSON.parse's message with the line and column of its "position N" (Node 20 gives the offset alone). */
function atLine(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m || /line \d+/.test(message)) return message;
  const before = text.slice(0, Number(m[1])).split("\n");
  return `${message} (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}

/** Reads a config file (JSON or YAML) into a plain object. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  let data: unknown;
  const yamlErrors = (doc: YAML.Document) =>
    // The first line ends with ":" before the excerpt it introduces, which is left out.
    new ConfigError(doc.errors.map((er) => `${file}: ${er.message.split("\n")[0].replace(/:$/, "")}`));
  if (file.endsWith(".json")) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ConfigError([`${file}: not valid JSON (${atLine(text, (e as Error).message)})`]);
    }
    // JSON.parse keeps the last of two equal keys: a second "mqtt" block dropped the first one's
    // settings without a word, where YAML refuses it. JSON is YAML, which tells where.
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.some((er) => er.code === "DUPLICATE_KEY")) throw yamlErrors(doc);
  } else {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) throw yamlErrors(doc);
    try {
      data = doc.toJS();
    } catch (e) {
      // e.g. an alias whose anchor comes later: parsed without errors, refused when resolved
      throw new ConfigError([`${file}: ${(e as Error).message.split("\n")[0]}`]);
    }
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([`${file}: the top level must be a mapping of settings`]);
  }
  return data as Record<string, unknown>;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = Object.prototype.hasOwnProperty.call(base, k) ? base[k] : undefined;
    const section = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
    if (section(v) && section(b)) {
      deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else if (section(v) && b !== undefined) {
      // A section that is no mapping (`mqtt: mqtt://broker`, `log:` left empty, EDGELEARN_MQTT=url)
      // stays for validation to refuse: replaced by `--broker`'s {url}, it was silently dropped.
      continue;
    } else {
      // an own property even for "__proto__" (assignment would replace the prototype, or with a
      // shared one, pollute every object); validation then refuses it as an unknown setting
      Object.defineProperty(base, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return base;
}

function pathOf(instancePath: string): string {
  let out = "";
  for (const seg of instancePath.split("/").slice(1)) {
    const s = seg.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(s) ? `[${s}]` : out ? `.${s}` : s;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return String(v);
}

/** One ajv error as "path: message". */
export function formatAjvError(e: ErrorObject, sources?: Map<string, string>): string {
  let path = pathOf(e.instancePath);
  const join = (k: string) => (path ? `${path}.${k}` : k);
  let msg: string;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const allowed = Object.keys((e.parentSchema as JsonSchema | undefined)?.properties ?? {});
      path = join(String(p.additionalProperty));
      msg = `unknown setting${allowed.length ? ` (expected one of: ${allowed.join(", ")})` : ""}`;
      break;
    }
    case "required":
      path = join(String(p.missingProperty));
      msg = "required";
      break;
    case "type":
      // `log:` with every line under it commented out is null in YAML, not an empty section.
      msg = e.data === null && p.type === "object"
        ? "an empty section (every line under it commented out?): give it a setting, or remove it"
        : `expected ${Array.isArray(p.type) ? p.type.join(" or ") : p.type}, got ${describe(e.data)}`;
      break;
    case "enum":
      msg = `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${describe(e.data)}`;
      break;
    case "pattern": {
      const d = (e.parentSchema as JsonSchema | undefined)?.description;
      msg = `${describe(e.data)} is not valid${d ? `: ${d}` : ` (must match ${p.pattern})`}`;
      break;
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      msg = `${e.message}, got ${describe(e.data)}`;
      break;
    default:
      msg = e.message ?? e.keyword;
  }
  const src = sources?.get(path);
  return `${path || "(top level)"}: ${msg}${src ? ` (set by ${src})` : ""}`;
}

/** The model of a device: the first matching rule's fields over `model`. */
export function modelFor(config: Config, device: string): { model: ModelConfig; rule: number } {
  for (let i = 0; i < config.devices.length; i++) {
    const r = config.devices[i];
    if (globMatch(r.match, device)) return { model: mergeRule(config.model, r), rule: i };
  }
  return { model: config.model, rule: -1 };
}

/** A rule's fields over the base model. */
export function mergeRule(base: ModelConfig, r: DeviceRule): ModelConfig {
  const taskChanged = r.task !== undefined && r.task !== base.task;
  return {
    task: r.task ?? base.task,
    // A rule that changes the task does not inherit the base's fields and params: they belong to
    // the other task.
    features: r.features ?? (taskChanged ? [] : base.features),
    target: r.target ?? (taskChanged ? undefined : base.target),
    params: r.params ?? (taskChanged ? {} : base.params),
    ranges: { ...(taskChanged ? {} : base.ranges), ...(r.ranges ?? {}) },
  };
}

const globCache = new Map<string, RegExp>();
export function globMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  let re = globCache.get(pattern);
  if (!re) {
    const src = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${src}$`);
    globCache.set(pattern, re);
  }
  return re.test(name);
}

function checkModel(path: string, m: ModelConfig, problems: string[]): void {
  if (SUPERVISED.has(m.task) && !m.target) {
    problems.push(`${path}.target: required for task "${m.task}" (the field the model learns to predict)`);
  }
  if (!SUPERVISED.has(m.task) && m.target) {
    problems.push(`${path}.target: task "${m.task}" learns without a target; remove it`);
  }
  if (m.target && m.features.includes(m.target)) {
    problems.push(`${path}.features: the target "${m.target}" cannot also be a feature`);
  }
  for (const [k, r] of Object.entries(m.ranges)) {
    if (!(r[0] < r[1])) problems.push(`${path}.ranges.${k}: expected [lo, hi] with lo < hi`);
  }
}

function checkFile(path: string, file: string | undefined, problems: string[]): void {
  if (file === undefined) return;
  try {
    readFileSync(file);
  } catch (e) {
    problems.push(`${path}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A secret file must hold what the inline setting's schema would accept. */
function checkSecretFile(path: string, file: string | undefined, minLength: number, problems: string[]): void {
  if (file === undefined) return;
  const r = readSecretFile(path, file, minLength);
  if ("problem" in r) problems.push(r.problem);
}

/** Checks that span settings, after the schema passed. */
function checkSemantics(c: Config): string[] {
  const problems: string[] = [];
  try {
    const u = new URL(c.mqtt.url);
    if (!u.hostname) problems.push(`mqtt.url: no host in ${JSON.stringify(c.mqtt.url)}`);
  } catch {
    problems.push(`mqtt.url: not a URL: ${JSON.stringify(c.mqtt.url)}`);
  }
  if (c.mqtt.reconnect.minDelayMs > c.mqtt.reconnect.maxDelayMs) {
    problems.push("mqtt.reconnect.minDelayMs: must not exceed mqtt.reconnect.maxDelayMs");
  }
  if (c.mqtt.password !== undefined && c.mqtt.passwordFile !== undefined) {
    problems.push("mqtt.passwordFile: give either password or passwordFile, not both");
  }
  checkSecretFile("mqtt.passwordFile", c.mqtt.passwordFile, MQTT_PASSWORD_MIN_LENGTH, problems);
  checkFile("mqtt.ca", c.mqtt.ca, problems);
  checkFile("mqtt.cert", c.mqtt.cert, problems);
  checkFile("mqtt.key", c.mqtt.key, problems);
  if ((c.mqtt.cert === undefined) !== (c.mqtt.key === undefined)) {
    problems.push("mqtt.key: mutual TLS needs both cert and key");
  }
  if (c.topics.input === c.topics.output) problems.push("topics.output: must differ from topics.input");
  checkModel("model", c.model, problems);
  checkSecretFile("http.tokenFile", c.http.tokenFile, HTTP_TOKEN_MIN_LENGTH, problems);
  checkSecretFile("http.passwordFile", c.http.passwordFile, HTTP_PASSWORD_MIN_LENGTH, problems);
  problems.push(...checkHttp(c.http));
  c.devices.forEach((r, i) => checkModel(`devices[${i}]`, mergeRule(c.model, r), problems));
  return problems;
}

/** Loads, merges and validates; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const data: Record<string, unknown> = opts.file ? readConfigFile(opts.file) : {};
  const { problems, sources } = applyEnv(data, opts.env ?? process.env);
  if (opts.overrides) deepMerge(data, structuredClone(opts.overrides) as Record<string, unknown>);
  const errors = validate(data).map((e) => formatAjvError(e, sources));
  const all = [...problems, ...errors];
  if (all.length > 0) throw new ConfigError(all);
  const config = data as unknown as Config;
  const semantic = checkSemantics(config);
  if (semantic.length > 0) throw new ConfigError(semantic);
  return config;
}

/** The configuration with every default and nothing else (what `run --broker` starts from). */
export function defaultConfig(): Config {
  return loadConfig({ env: {} });
}
