// Property-based fuzzing of the two doors into edgelearn, shared by the seeded run in npm test
// (test/fuzz/fuzz.test.ts) and the million-case benchmark (bench/fuzz.bench.ts):
//
// payloads   generated MQTT messages (flat JSON with every kind of value, SenML packs with every
//            field in every type, raw bytes, truncated and mutated text, deep nesting, oversize,
//            odd topics) go through Service.handle. Properties: nothing throws, no internal error;
//            every reading the model learned had finite features and, for supervised models, a
//            finite target (read back from the module's input buffer and output record at that
//            moment); for flat readings the learned features are exactly the payload's values; at
//            the end every device's state blob still validates.
// configs    generated settings (the schema's paths with valid, out-of-range, wrong-type and random
//            JSON values; prototype keys; EDGELEARN_* environment maps; YAML and JSON files with
//            random and mutated text) go through loadConfig. Properties: it returns a configuration
//            or throws ConfigError, nothing else; a returned configuration (every 10th) loads again unchanged;
//            a sample of them builds a Service (ConfigError or a working service, nothing else);
//            Object.prototype is never touched.

import fc from "fast-check";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, ConfigError } from "../../host/config/load.js";
import { configSchema } from "../../host/config/schema.js";
import { settingVariable } from "../../host/config/env-names.js";
import { Service } from "../../host/service/service.js";
import { Flag, compileLearner, DEFAULT_WASM, type Learner } from "../../host/learner/index.js";
import { memoryLogger } from "../../host/logger.js";

export interface FuzzReport {
  cases: number;
  failures: string[];
  /** Cases by outcome, for the record (e.g. learned, refused, accepted, ConfigError). */
  outcomes: Record<string, number>;
  seconds: number;
}

// ---- payloads -------------------------------------------------------------------------------

const FIELD_NAMES = ["a", "b", "y", "ts", "x", "temperature", "__proto__", "constructor", "", "a ", "A"];

const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 1e11, 1e20, 2 ** 28, 0.1),
);
const value = fc.oneof(
  { weight: 6, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("2024-01-01T00:00:00Z", "2024-13-45", "NaN", "1e999", "") },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** JSON text of a value, with numbers sometimes written as tokens JSON.stringify never makes (1e999 parses as Infinity). */
function jsonText(v: unknown, wild: number): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? (wild % 2 ? "__INF__" : null) : x)).replace(/"__INF__"/g, wild % 3 ? "1e999" : "-1e999");
}

const flat = fc
  .tuple(fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 6 })), value, { maxKeys: 8 }), fc.nat())
  .map(([o, w]) => jsonText(o, w));

/** Mostly well-formed readings on the fields the devices expect, some values made bad. */
const nearlyValid = fc
  .record({ a: value, b: value, y: value, ts: fc.option(value, { freq: 3 }) }, { requiredKeys: [] })
  .chain((o) => fc.tuple(fc.constant(o), fc.nat()))
  .map(([o, w]) => jsonText(o, w));

const senmlKey = fc.constantFrom("bn", "bt", "bv", "bu", "bver", "n", "u", "v", "vs", "vb", "vd", "t", "ut", "s", "bs");
const senml = fc
  .tuple(fc.array(fc.dictionary(senmlKey, fc.oneof(value, fc.constantFrom("a", "b", "y", "dev/", "r-1/"))), { maxLength: 6 }), fc.nat())
  .map(([a, w]) => jsonText(a, w));

const mutated = fc.tuple(fc.oneof(flat, senml, nearlyValid), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("cut", "flip", "insert")).map(([s, at, byte, how]) => {
  const b = Buffer.from(s);
  if (b.length === 0) return b;
  const i = at % b.length;
  if (how === "cut") return b.subarray(0, i);
  if (how === "flip") {
    b[i] = byte;
    return b;
  }
  return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
});

const special = fc.constantFrom(
  "[".repeat(4000) + "]".repeat(4000),
  '{"a":' + "[".repeat(3000) + "]".repeat(3000) + "}",
  JSON.stringify({ a: 1, b: 2, y: 3, pad: "x".repeat(9000) }),
  "",
  "null",
  "[]",
  "{}",
  '"a"',
  "\u0000",
  '{"a":1,"a":2,"b":1,"y":1}',
  '{"__proto__":{"a":1},"b":1,"y":1}',
);

/** Valid readings, so the models learn and the later cases meet trained state (and swaps). */
const valid = fc
  .record({ a: fc.double({ min: -100, max: 100, noNaN: true }), b: fc.integer({ min: -5, max: 5 }), y: fc.double({ min: -1, max: 1, noNaN: true }) })
  .map((o) => Buffer.from(JSON.stringify({ ...o, y: o.y > 0 ? 1 : 0, z: o.y })));

const payload = fc.oneof(
  { weight: 8, arbitrary: valid },
  { weight: 4, arbitrary: nearlyValid.map((s) => Buffer.from(s)) },
  { weight: 3, arbitrary: flat.map((s) => Buffer.from(s)) },
  { weight: 3, arbitrary: senml.map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: mutated },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: special.map((s) => Buffer.from(s)) },
);

const DEVICES = ["r-1", "r-2", "c-1", "f-1", "k-1", "anom-1", "anom-2"];
const topic = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...DEVICES).map((d) => `sensors/${d}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((d) => `sensors/${d}`) },
  { weight: 1, arbitrary: fc.constantFrom("sensors/", "sensors/a/b", "sensors/+", "other/x", `sensors/${"d".repeat(200)}`, "edgelearn/r-1/cmd", "edgelearn/cmd") },
);

const SUPERVISED_PREFIX = ["r-", "c-", "f-"];

export function fuzzPayloads(numRuns: number, seed: number, module = compileLearner(DEFAULT_WASM)): FuzzReport {
  const t0 = Date.now();
  const { logger } = memoryLogger("error");
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "anomaly" },
      devices: [
        { match: "r-*", task: "regression", features: ["a", "b"], target: "y" },
        { match: "c-*", task: "classification", features: ["a", "b"], target: "y" },
        { match: "f-*", task: "forecast", features: [], target: "y" },
        { match: "k-*", task: "cluster", features: ["a", "b"] },
      ],
      pool: { maxDevices: 40, hotInstances: 4 },
      store: { type: "none" },
      log: { rateLimitSeconds: 3600 },
    },
  });
  const s = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger, module }).start();
  const failures: string[] = [];
  const outcomes: Record<string, number> = { learned: 0, reached_model_not_learned: 0, refused_by_host: 0 };
  let current: Buffer = Buffer.alloc(0);
  let currentTopic = "";
  let reached = 0;
  s.events.on("reading", (device: string, flags: number, l: Learner) => {
    reached++;
    if (!(flags & Flag.Learned)) return void outcomes.reached_model_not_learned++;
    outcomes.learned++;
    for (let i = 0; i < l.nFeatures; i++) if (!Number.isFinite(l.input[i])) failures.push(`${device} learned a non-finite feature ${i} from ${current.toString("utf8").slice(0, 200)}`);
    if (SUPERVISED_PREFIX.some((p) => device.startsWith(p)) && !Number.isFinite(l.error)) failures.push(`${device} learned without a finite target from ${current.toString("utf8").slice(0, 200)}`);
    if (device.startsWith("r-") && currentTopic === `sensors/${device}` && current[0] === 0x7b) {
      // an independent reading of a flat payload: the model must have seen exactly its values
      const o = JSON.parse(current.toString("utf8")) as Record<string, unknown>;
      const num = (v: unknown) => (typeof v === "boolean" ? (v ? 1 : 0) : v);
      const [a, b] = [num(o.a), num(o.b)];
      if (typeof a !== "number" || typeof b !== "number" || Math.fround(a) !== l.input[0] || Math.fround(b) !== l.input[1]) {
        failures.push(`${device} learned values that are not the payload's: ${current.toString("utf8").slice(0, 200)}`);
      }
    }
  });
  const prop = fc.property(topic, payload, (tp, p) => {
    current = p;
    currentTopic = tp;
    const before = reached;
    try {
      s.handle(tp, p);
    } catch (e) {
      failures.push(`handle threw on ${tp}: ${(e as Error).message}`);
    }
    if (reached === before) outcomes.refused_by_host++;
    return failures.length === 0 && s.counters.internalErrors === 0;
  });
  const r = fc.check(prop, { numRuns, seed, endOnFailure: true });
  if (r.failed) failures.push(`property failed (seed ${seed}, path ${r.counterexamplePath}): ${String(r.counterexample).slice(0, 300)}`);
  if (s.counters.internalErrors) failures.push(`${s.counters.internalErrors} internal errors`);
  for (const name of s.pool.names()) {
    const snap = s.snapshotDevice(name);
    if (snap.ok && s.pool.spare().validate(snap.value) !== 0) failures.push(`${name}: its state blob no longer validates`);
  }
  void s.stop();
  return { cases: numRuns, failures: [...new Set(failures)].slice(0, 20), outcomes, seconds: (Date.now() - t0) / 1000 };
}

// ---- configurations -------------------------------------------------------------------------

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; enum?: readonly unknown[]; minimum?: number; maximum?: number; additionalProperties?: unknown };

/** A value for one schema node: valid, at or past its bounds, of the wrong type, or anything. */
function valueFor(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, "", "__proto__", -1, 1e308, Number.NaN, Infinity, [], {}, true));
  let valid: fc.Arbitrary<unknown>;
  if (s.enum) valid = fc.constantFrom(...s.enum);
  else if (s.type === "object" && s.properties && depth < 3) valid = objectFor(s, depth + 1);
  else if (s.type === "integer") valid = fc.oneof(fc.integer({ min: s.minimum ?? -10, max: Math.min(s.maximum ?? 1e6, 1e9) }), fc.constantFrom(s.minimum ?? 0, (s.minimum ?? 0) - 1, s.maximum ?? 1e9, (s.maximum ?? 1e9) + 1));
  else if (s.type === "number") valid = fc.oneof(fc.double({ noNaN: true, min: s.minimum ?? -1e6, max: s.maximum ?? 1e6 }), fc.constantFrom(s.minimum ?? 0, s.maximum ?? 1e9, 0));
  else if (s.type === "boolean") valid = fc.boolean();
  else if (s.type === "string") valid = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("mqtt://localhost:1883", "mqtts://127.0.0.1:8883", "a*b?", "regression", "sqlite", "edgelearn.db"));
  else if (s.type === "array") valid = fc.array(s.items ? valueFor(s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 });
  else valid = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.double(), fc.array(fc.double(), { maxLength: 3 }), fc.array(fc.string(), { maxLength: 2 })), { maxKeys: 3 });
  return fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: wrong });
}

function objectFor(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const keys = Object.keys(props);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = valueFor(props[k], depth);
  const extra = fc.dictionary(fc.constantFrom("unknown", "__proto__", "constructor", "prototype", "Mqtt", "mqtt "), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 1 });
  return fc.tuple(fc.record(model, { requiredKeys: [] }), fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra })).map(([a, b]) => ({ ...a, ...b }));
}

function envPaths(s: Schema, prefix: string[] = []): string[][] {
  if (s.type === "object" && s.properties) return Object.entries(s.properties).flatMap(([k, v]) => envPaths(v, [...prefix, k]));
  return [prefix];
}

const ENV_KEYS = envPaths(configSchema as unknown as Schema).map(settingVariable);
const env = fc.dictionary(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ENV_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((k) => `EDGELEARN_${k}`) }),
  fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("1", "0", "true", "[1,2]", "{}", "{\"a\":[1,2]}", "a,b", "", "1e999", "-5")),
  { maxKeys: 3 },
);

export const overrides = objectFor(configSchema as unknown as Schema, 0);

/** One setting changed from the defaults: mostly accepted, so the Service is built from many of them. */
function leaves(s: Schema, prefix: string[] = []): [string[], Schema][] {
  if (s.type === "object" && s.properties) return Object.entries(s.properties).flatMap(([k, v]) => leaves(v, [...prefix, k]));
  return [[prefix, s]];
}
const LEAVES = leaves(configSchema as unknown as Schema);
const oneSetting = fc.integer({ min: 0, max: LEAVES.length - 1 }).chain((i) => {
  const [path, schema] = LEAVES[i];
  return valueFor(schema, 3).map((v) => path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as Record<string, unknown>);
});

/** Files: YAML or JSON renderings of generated settings, raw text, and mutations of both. */
const fileText = fc.oneof(
  overrides.map((o) => JSON.stringify(o)),
  overrides.map((o) => Object.entries(o).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n")),
  fc.string({ maxLength: 80 }),
  fc.constantFrom("a: &x [*x]", "mqtt: {url: [", "- 1\n- 2", "!!binary x", "mqtt:\n  url: mqtt://x\nmqtt:\n  url: y", "~", "%YAML 9.9\n---\n"),
);

const configCase = fc.oneof(
  { weight: 6, arbitrary: fc.record({ env: fc.constant({}), overrides: oneSetting, file: fc.constant(undefined) }) },
  { weight: 3, arbitrary: fc.record({ env, overrides: fc.constant(undefined), file: fc.constant(undefined) }) },
  { weight: 2, arbitrary: fc.record({ env, overrides, file: fc.constant(undefined) }) },
  { weight: 1, arbitrary: fc.record({ env: fc.constant({}), overrides: fc.constant(undefined), file: fc.tuple(fileText, fc.boolean()) }) },
);

export function fuzzConfigs(numRuns: number, seed: number, module = compileLearner(DEFAULT_WASM), serviceEvery = 200): FuzzReport {
  const t0 = Date.now();
  // files on a RAM disk where there is one: the loader reads a file per case
  const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "edgelearn-fuzz-config-"));
  const failures: string[] = [];
  const outcomes: Record<string, number> = { accepted: 0, config_error: 0, service_built: 0, service_config_error: 0 };
  let n = 0;
  const prop = fc.property(configCase, (c) => {
    let file: string | undefined;
    if (c.file) {
      file = join(dir, c.file[1] ? "c.json" : "c.yaml");
      writeFileSync(file, c.file[0]);
    }
    let config;
    try {
      config = loadConfig({ env: c.env as NodeJS.ProcessEnv, overrides: c.overrides as Record<string, unknown> | undefined, file });
    } catch (e) {
      if (e instanceof ConfigError) {
        outcomes.config_error++;
        return ({} as Record<string, unknown>).polluted === undefined && Object.keys(Object.prototype).length === 0;
      }
      failures.push(`loadConfig threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)} on ${JSON.stringify(c).slice(0, 300)}`);
      return false;
    }
    outcomes.accepted++;
    // loads again unchanged (every 10th: validation is most of a case's cost)
    if (outcomes.accepted % 10 === 0) {
      try {
        const again = loadConfig({ env: {}, overrides: structuredClone(config) as unknown as Record<string, unknown> });
        if (JSON.stringify(again) !== JSON.stringify(config)) failures.push(`an accepted configuration loads differently: ${JSON.stringify(config).slice(0, 300)}`);
      } catch (e) {
        failures.push(`an accepted configuration is refused when loaded again: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    if (++n % serviceEvery === 0) {
      try {
        const s = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger: memoryLogger("error").logger, module });
        outcomes.service_built++;
        void s.stop();
      } catch (e) {
        if (e instanceof ConfigError) outcomes.service_config_error++;
        else failures.push(`Service threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    return failures.length === 0 && Object.keys(Object.prototype).length === 0;
  });
  const r = fc.check(prop, { numRuns, seed, endOnFailure: true });
  if (r.failed) failures.push(`property failed (seed ${seed}): ${JSON.stringify(r.counterexample)?.slice(0, 400)}`);
  rmSync(dir, { recursive: true, force: true });
  return { cases: numRuns, failures: [...new Set(failures)].slice(0, 20), outcomes, seconds: (Date.now() - t0) / 1000 };
}
