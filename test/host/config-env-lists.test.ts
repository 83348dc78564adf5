import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { tempDir } from "../helpers/tmp.js";
import { configProblems } from "../helpers/config-problems.js";

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
  const p = configProblems(() =>
    loadConfig({ env: { EDGELEARN_HTTP__PUBLIC_ORIGIN: "https://a.example.com", EDGELEARN_HTTP__PUBLIC_ORIGIN__1: "https://b.example.com" } }),
  );
  assert.deepEqual(p, [
    "EDGELEARN_HTTP__PUBLIC_ORIGIN__1: sets an entry of http.publicOrigin, which EDGELEARN_HTTP__PUBLIC_ORIGIN sets whole; give the list one way",
  ]);
  const q = configProblems(() => loadConfig({ env: { EDGELEARN_DEVICES: '[{"match":"a"}]', EDGELEARN_DEVICES__0__TASK: "anomaly" } }));
  assert.deepEqual(q, ["EDGELEARN_DEVICES__0__TASK: sets an entry of devices, which EDGELEARN_DEVICES sets whole; give the list one way"]);
});

test("entries left out of a list are refused, with the missing numbers, and only once", () => {
  const p = configProblems(() =>
    loadConfig({ env: { EDGELEARN_CLUSTER__SERVERS__0: "nats://a:4222", EDGELEARN_CLUSTER__SERVERS__3: "nats://d:4222" } }),
  );
  assert.deepEqual(p, [
    "EDGELEARN_CLUSTER__SERVERS__0, EDGELEARN_CLUSTER__SERVERS__3: cluster.servers has no entries 1, 2; a list's entries are numbered from 0 with none left out",
  ]);
  const q = configProblems(() => loadConfig({ env: { EDGELEARN_DEVICES__1__MATCH: "a*" } }));
  assert.deepEqual(q, ["EDGELEARN_DEVICES__1__MATCH: devices has no entry 0; a list's entries are numbered from 0 with none left out"]);
});

test("one setting named by two spellings is refused rather than one silently winning", () => {
  const p = configProblems(() => loadConfig({ env: { EDGELEARN_MQTT__CLIENT_ID: "a", EDGELEARN_MQTT__CLIENTID: "b" } }));
  assert.deepEqual(p, ["EDGELEARN_MQTT__CLIENT_ID: sets mqtt.clientId, as EDGELEARN_MQTT__CLIENTID does; give one of them"]);
});

test("variables that name no setting are refused, as unknown keys in the file are", () => {
  const p = configProblems(() =>
    loadConfig({
      env: {
        EDGELEARN_MQTT_URL: "mqtt://typo:1883",
        EDGELEARN_HOME_ASSISTANT_ENABLED: "true",
        EDGELEARN_CLUSTER__SERVERS__FIRST: "nats://a:4222",
        EDGELEARN_MQTT__URL__0: "mqtt://a:1883",
      },
    }),
  );
  assert.deepEqual(p, [
    "EDGELEARN_CLUSTER__SERVERS__FIRST: no such setting (cluster.servers is a list: its entries are cluster.servers[0], [1], ...)",
    'EDGELEARN_HOME_ASSISTANT_ENABLED: no such setting (levels of a path are separated by "__": EDGELEARN_MQTT__URL sets mqtt.url)',
    'EDGELEARN_MQTT_URL: no such setting (levels of a path are separated by "__": EDGELEARN_MQTT__URL sets mqtt.url)',
    "EDGELEARN_MQTT__URL__0: no such setting",
  ]);
});

test("variables that are not settings stay ignored; a top-level list is read by its name", () => {
  const c = loadConfig({
    env: {
      EDGELEARN_CONFIG: "other.yaml",
      EDGELEARN_REQUIRE_ALL: "1",
      EDGELEARN_WASM: "x.wasm",
      EDGELEARN_DEVICES: '[{"match":"boiler-*","task":"anomaly"}]',
    },
  });
  assert.deepEqual(c.devices, [{ match: "boiler-*", task: "anomaly" }]);
});
