import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, modelFor, globMatch } from "../../host/config/load.js";
import { tempDir } from "../helpers/tmp.js";
import { configProblems } from "../helpers/config-problems.js";

const problems = configProblems;

const dir = tempDir("config");
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("defaults fill every section", () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.mqtt.url, "mqtt://localhost:1883");
  assert.equal(c.mqtt.protocolVersion, 5);
  assert.equal(c.mqtt.clean, false);
  assert.equal(c.input.qos, 1);
  assert.equal(c.topics.input, "sensors");
  assert.equal(c.pool.maxDevices, 10000);
  assert.equal(c.store.checkpoint.everyReadings, 10000);
  assert.equal(c.model.task, "anomaly");
});

test("the example configuration is valid", () => {
  const c = loadConfig({ file: "config/edgelearn.example.yaml", env: {} });
  assert.ok(c.devices.length > 0);
});

test("YAML and JSON files load", () => {
  const y = loadConfig({ file: file("a.yaml", "mqtt:\n  url: mqtt://broker:1884\nmodel:\n  task: regression\n  target: power\n"), env: {} });
  assert.equal(y.mqtt.url, "mqtt://broker:1884");
  assert.equal(y.model.target, "power");
  const j = loadConfig({ file: file("a.json", JSON.stringify({ pool: { maxDevices: 5 } })), env: {} });
  assert.equal(j.pool.maxDevices, 5);
});

test("schema errors name the path and what was expected", () => {
  const p = problems(() =>
    loadConfig({
      file: file("bad.yaml", "mqtt:\n  urll: x\n  keepalive: fast\n  protocolVersion: 3\ninput:\n  qos: 2\ndevices:\n  - task: regression\n"),
      env: {},
    }),
  );
  assert.ok(p.some((m) => m.startsWith("mqtt.urll: unknown setting")), p.join("\n"));
  assert.ok(p.some((m) => m.startsWith("mqtt.keepalive: expected integer")), p.join("\n"));
  assert.ok(p.some((m) => m.startsWith("mqtt.protocolVersion: expected one of 4, 5")), p.join("\n"));
  assert.ok(p.some((m) => m.startsWith("input.qos:")), p.join("\n"));
  assert.ok(p.some((m) => m === "devices[0].match: required"), p.join("\n"));
});

test("semantic errors: supervised task without a target, unreadable files", () => {
  const p = problems(() => loadConfig({ env: {}, overrides: { model: { task: "regression" }, mqtt: { ca: join(dir, "nope.pem") } } }));
  assert.ok(p.some((m) => m.startsWith("model.target: required")), p.join("\n"));
  assert.ok(p.some((m) => m.startsWith("mqtt.ca: cannot read")), p.join("\n"));
});

test("syntax errors in the file are reported with the file name", () => {
  const p = problems(() => loadConfig({ file: file("broken.yaml", "mqtt: [\n"), env: {} }));
  assert.ok(p[0].includes("broken.yaml"), p.join("\n"));
  const q = problems(() => loadConfig({ file: join(dir, "missing.yaml"), env: {} }));
  assert.match(q[0], /missing\.yaml: cannot read \(ENOENT\)/);
  // The first line of the parser's message ended with the ":" of an excerpt that is not shown.
  assert.match(p[0], /at line 2, column 1$/);
});

test("a JSON file: a key given twice is refused as in YAML, and a syntax error says on which line", () => {
  // JSON.parse kept the second "mqtt" and dropped the first one's url without a word.
  const p = problems(() => loadConfig({ file: file("twice.json", '{"mqtt": {"url": "mqtt://a:1883"},\n "mqtt": {"clientId": "x"}}'), env: {} }));
  assert.equal(p.length, 1);
  assert.match(p[0], /twice\.json: Map keys must be unique at line 2, column 2$/);
  const q = problems(() => loadConfig({ file: file("comma.json", '{\n  "mqtt": {\n    "url": "mqtt://a:1883",\n  }\n}'), env: {} }));
  assert.match(q[0], /comma\.json: not valid JSON \(.*line 4, column 3/);
});

test("a section left empty (every line under it commented out) is named as such", () => {
  const p = problems(() => loadConfig({ file: file("empty-section.yaml", "log:\n  # level: debug\n"), env: {} }));
  assert.deepEqual(p, ["log: an empty section (every line under it commented out?): give it a setting, or remove it"]);
});

test("environment overrides map from the setting's path and take the setting's type", () => {
  const c = loadConfig({
    file: file("env.yaml", "mqtt:\n  url: mqtt://file:1883\n"),
    env: {
      EDGELEARN_MQTT__URL: "mqtts://env:8883",
      EDGELEARN_MQTT__CLIENT_ID: "gw-1",
      EDGELEARN_MQTT__KEEPALIVE: "15",
      EDGELEARN_MQTT__CLEAN: "true",
      EDGELEARN_STORE__CHECKPOINT__EVERY_SECONDS: "2.5",
      EDGELEARN_MODEL__TASK: "regression",
      EDGELEARN_MODEL__TARGET: "power",
      EDGELEARN_MODEL__FEATURES: "a,b",
      EDGELEARN_MODEL__PARAMS__LEARNING_RATE: "0.1",
      EDGELEARN_REQUIRE_ALL: "1",
      EDGELEARN_CONFIG: "ignored.yaml",
    },
  });
  assert.equal(c.mqtt.url, "mqtts://env:8883");
  assert.equal(c.mqtt.clientId, "gw-1");
  assert.equal(c.mqtt.keepalive, 15);
  assert.equal(c.mqtt.clean, true);
  assert.equal(c.store.checkpoint.everySeconds, 2.5);
  assert.deepEqual(c.model.features, ["a", "b"]);
  assert.equal(c.model.params.learning_rate, 0.1);
});

test("bad environment overrides name the variable", () => {
  const p = problems(() => loadConfig({ env: { EDGELEARN_MQTT__NOPE: "1", EDGELEARN_POOL__MAX_DEVICES: "many" } }));
  assert.ok(p.some((m) => m.startsWith("EDGELEARN_MQTT__NOPE: no such setting (mqtt has: url, ")), p.join("\n"));
  assert.ok(p.some((m) => m.startsWith("pool.maxDevices: expected integer") && m.endsWith("(set by EDGELEARN_POOL__MAX_DEVICES)")), p.join("\n"));
});

test("device rules: first match wins, globs, task change drops inherited fields", () => {
  const c = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "power", features: ["a"] },
      devices: [
        { match: "meter-*", target: "kwh" },
        { match: "door?", task: "anomaly" },
      ],
    },
  });
  assert.equal(modelFor(c, "meter-7").model.target, "kwh");
  assert.deepEqual(modelFor(c, "meter-7").model.features, ["a"]);
  assert.equal(modelFor(c, "door1").model.task, "anomaly");
  assert.equal(modelFor(c, "door1").model.target, undefined);
  assert.equal(modelFor(c, "other").rule, -1);
  assert.ok(globMatch("a.*", "a.b") && !globMatch("a.*", "axb"));
});

test("the example configuration mentions every setting of the schema", async () => {
  const { readFileSync } = await import("node:fs");
  const { configSchema } = await import("../../host/config/schema.js");
  const text = readFileSync("config/edgelearn.example.yaml", "utf8");
  const missing: string[] = [];
  const walk = (props: Record<string, { properties?: Record<string, unknown> }>, path: string) => {
    for (const [k, v] of Object.entries(props)) {
      if (!new RegExp(`^\\s*#?\\s*-?\\s*${k}:`, "m").test(text)) missing.push(path + k);
      if (v.properties) walk(v.properties as never, `${path}${k}.`);
    }
  };
  walk(configSchema.properties as never, "");
  assert.deepEqual(missing, []);
});
