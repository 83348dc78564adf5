import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { NOT_SETTINGS } from "../../host/config/env-names.js";
import { tempDir } from "../helpers/tmp.js";
import { configProblems } from "../helpers/config-problems.js";

/** The problems of a configuration from these variables alone. */
const envProblems = (env: Record<string, string>) => configProblems(() => loadConfig({ env }));

// Lists from the environment: whole (comma or JSON) or entry by entry (__0, __1, ...), never both;
// and variables that name no setting are refused, as unknown keys of the file are.
test("a list is read entry by entry: cluster.servers, http.publicOrigin, a list inside a device rule", () => {
  const c = loadConfig({
    env: {
      EDGELEARN_CLUSTER__SERVERS__0: "nats://a:4222",
      EDGELEARN_CLUSTER__SERVERS__1: "nats://b:4222",
      EDGELEARN_HTTP__PUBLIC_ORIGIN__0: "https://edge.example.com",
      EDGELEARN_HTTP__PUBLIC_ORIGIN__1: "https://edge.lan:8443",
      EDGELEARN_DEVICES__0__MATCH: "boiler-*",
      EDGELEARN_DEVICES__0__FEATURES__0: "temperature",
      EDGELEARN_DEVICES__0__FEATURES__1: "humidity",
    },
  });
  assert.deepEqual(c.cluster.servers, ["nats://a:4222", "nats://b:4222"]);
  assert.deepEqual(c.http.publicOrigin, ["https://edge.example.com", "https://edge.lan:8443"]);
  assert.deepEqual(c.devices[0].features, ["temperature", "humidity"]);
});

test("ten entries and more are placed by number, not by the variables' order", () => {
  const env: Record<string, string> = {};
  for (let i = 0; i < 12; i++) env[`EDGELEARN_CLUSTER__SERVERS__${i}`] = `nats://n${i}:4222`;
  const servers = loadConfig({ env }).cluster.servers;
  assert.deepEqual(servers, Array.from({ length: 12 }, (_, i) => `nats://n${i}:4222`));
});

test("entries replace and extend the file's list; one value in the file is a list of one", () => {
  const f = join(tempDir("config-env-lists"), "lists.yaml");
  writeFileSync(f, "cluster:\n  servers: [nats://file-a:4222, nats://file-b:4222]\nhttp:\n  publicOrigin: https://file.example.com\n");
  const c = loadConfig({
    file: f,
    env: {
      EDGELEARN_CLUSTER__SERVERS__1: "nats://env-b:4222",
      EDGELEARN_CLUSTER__SERVERS__2: "nats://env-c:4222",
      EDGELEARN_HTTP__PUBLIC_ORIGIN__1: "https://env.example.com",
    },
  });
  assert.deepEqual(c.cluster.servers, ["nats://file-a:4222", "nats://env-b:4222", "nats://env-c:4222"]);
  assert.deepEqual(c.http.publicOrigin, ["https://file.example.com", "https://env.example.com"]);
});

test("a list given both whole and entry by entry is refused, naming both variables", () => {
  const p = envProblems({ EDGELEARN_HTTP__PUBLIC_ORIGIN: "https://a.example.com", EDGELEARN_HTTP__PUBLIC_ORIGIN__1: "https://b.example.com" });
  assert.deepEqual(p, [
    "EDGELEARN_HTTP__PUBLIC_ORIGIN__1: sets an entry of http.publicOrigin, which EDGELEARN_HTTP__PUBLIC_ORIGIN sets whole; give the list one way",
  ]);
  const q = envProblems({ EDGELEARN_DEVICES: '[{"match":"a"}]', EDGELEARN_DEVICES__0__TASK: "anomaly" });
  assert.deepEqual(q, ["EDGELEARN_DEVICES__0__TASK: sets an entry of devices, which EDGELEARN_DEVICES sets whole; give the list one way"]);
});

test("entries left out of a list are refused, with the missing numbers, and only once", () => {
  const p = envProblems({ EDGELEARN_CLUSTER__SERVERS__0: "nats://a:4222", EDGELEARN_CLUSTER__SERVERS__3: "nats://d:4222" });
  assert.deepEqual(p, [
    "EDGELEARN_CLUSTER__SERVERS__0, EDGELEARN_CLUSTER__SERVERS__3: cluster.servers has no entries 1, 2; a list's entries are numbered from 0 with none left out",
  ]);
  const q = envProblems({ EDGELEARN_DEVICES__1__MATCH: "a*" });
  assert.deepEqual(q, ["EDGELEARN_DEVICES__1__MATCH: devices has no entry 0; a list's entries are numbered from 0 with none left out"]);
});

test("one setting named by two spellings is refused rather than one silently winning", () => {
  const p = envProblems({ EDGELEARN_MQTT__CLIENT_ID: "a", EDGELEARN_MQTT__CLIENTID: "b" });
  assert.deepEqual(p, ["EDGELEARN_MQTT__CLIENT_ID: sets mqtt.clientId, as EDGELEARN_MQTT__CLIENTID does; give one of them"]);
});

test("variables that name no setting are refused, as unknown keys in the file are", () => {
  const p = envProblems({
    EDGELEARN_MQTT_URL: "mqtt://typo:1883",
    EDGELEARN_HOME_ASSISTANT_ENABLED: "true",
    EDGELEARN_CLUSTER__SERVERS__FIRST: "nats://a:4222",
    EDGELEARN_MQTT__URL__0: "mqtt://a:1883",
  });
  const advice = 'Rename it ("__" between levels) or unset it: an EDGELEARN_ variable other than EDGELEARN_CONFIG must name a setting';
  assert.deepEqual(p, [
    "EDGELEARN_CLUSTER__SERVERS__FIRST: no such setting (cluster.servers is a list: its entries are cluster.servers[0], [1], ...)",
    `EDGELEARN_HOME_ASSISTANT_ENABLED: no such setting; did you mean EDGELEARN_HOMEASSISTANT__ENABLED (homeassistant.enabled)? ${advice}`,
    `EDGELEARN_MQTT_URL: no such setting; did you mean EDGELEARN_MQTT__URL (mqtt.url)? ${advice}`,
    "EDGELEARN_MQTT__URL__0: no such setting (mqtt.url is one value: EDGELEARN_MQTT__URL sets it)",
  ]);
});

test("an EDGELEARN_ variable without __ that starts like no setting is refused too, naming the closest", () => {
  // EDGELEARN_MQTTURL was ignored: mqtt.url stayed at its default without a word.
  const p = envProblems({ EDGELEARN_MQTTURL: "mqtt://typo:1883", EDGELEARN_CONFIGG: "a.yaml", EDGELEARN_: "1" });
  assert.equal(p.length, 3);
  assert.match(p[0], /^EDGELEARN_: no such setting; did you mean EDGELEARN_\w+/);
  assert.match(p[1], /^EDGELEARN_CONFIGG: no such setting; did you mean EDGELEARN_CONFIG\? /);
  assert.match(p[2], /^EDGELEARN_MQTTURL: no such setting; did you mean EDGELEARN_MQTT__URL \(mqtt\.url\)\? /);
});

test("the project's own variables are not settings and stay ignored; a top-level setting is read by its name", () => {
  const own = Object.fromEntries(NOT_SETTINGS.map((n) => [n, "1"]));
  const c = loadConfig({
    env: {
      ...own,
      EDGELEARN_DEVICES: '[{"match":"boiler-*","task":"anomaly"}]',
      EDGELEARN_HOME_ASSISTANT: '{"enabled": true}',
    },
  });
  assert.deepEqual(c.devices, [{ match: "boiler-*", task: "anomaly" }]);
  assert.equal(c.homeassistant.enabled, true);
  assert.ok(NOT_SETTINGS.includes("EDGELEARN_CONFIG") && NOT_SETTINGS.includes("EDGELEARN_REQUIRE_ALL"));
});

test("a section given whole is refused together with a setting or a list entry inside it", () => {
  // Both were applied: the entry replaced the first server of the section's JSON, unseen.
  const section = { EDGELEARN_CLUSTER: '{"servers": ["nats://a:4222"]}', EDGELEARN_MQTT: '{"url": "mqtt://a:1883"}' };
  const p = envProblems({ ...section, EDGELEARN_CLUSTER__SERVERS__0: "nats://b:4222", EDGELEARN_MQTT__URL: "mqtt://b:1883" });
  assert.deepEqual(p, [
    "EDGELEARN_CLUSTER__SERVERS__0: sets cluster.servers[0], inside cluster, which EDGELEARN_CLUSTER sets whole; give cluster one way: whole, or setting by setting",
    "EDGELEARN_MQTT__URL: sets mqtt.url, inside mqtt, which EDGELEARN_MQTT sets whole; give mqtt one way: whole, or setting by setting",
  ]);
  // Alone, a section given whole replaces the file's section.
  const f = join(tempDir("config-env-lists"), "section.yaml");
  writeFileSync(f, "mqtt:\n  url: mqtt://file:1883\n  clientId: from-file\n");
  const c = loadConfig({ file: f, env: { EDGELEARN_MQTT: '{"url": "mqtt://env:1883"}' } });
  assert.equal(c.mqtt.url, "mqtt://env:1883");
  assert.equal(c.mqtt.clientId, "edgelearn");
});

test("a list or section written as JSON that does not parse is refused as such", () => {
  const p = envProblems({ EDGELEARN_DEVICES: '[{"match": "a"}', EDGELEARN_MQTT: '{"url": "mqtt://a:1883"' });
  assert.equal(p.length, 2);
  assert.match(p[0], /^EDGELEARN_DEVICES: not valid JSON \(/);
  assert.match(p[1], /^EDGELEARN_MQTT: not valid JSON \(/);
});

test("a command-line override does not hide a section that is no mapping", () => {
  // --broker merges {url} into mqtt: a string there was replaced by it and never reported.
  const f = join(tempDir("config-env-lists"), "string-section.yaml");
  writeFileSync(f, "mqtt: mqtt://broker:1883\n");
  assert.deepEqual(configProblems(() => loadConfig({ file: f, env: {}, overrides: { mqtt: { url: "mqtt://cli:1883" } } })), [
    'mqtt: expected object, got "mqtt://broker:1883"',
  ]);
  assert.deepEqual(configProblems(() => loadConfig({ env: { EDGELEARN_MQTT: "mqtt://env:1883" }, overrides: { mqtt: { url: "mqtt://cli:1883" } } })), [
    'mqtt: expected object, got "mqtt://env:1883" (set by EDGELEARN_MQTT)',
  ]);
});
