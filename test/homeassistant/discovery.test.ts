// Home Assistant discovery against a real Mosquitto: every config message is checked against
// HA's rules with templates rendered against the device's real prediction and health payloads;
// configs are retained, published again when HA announces `online`, cleared when a device is
// forgotten, and the entities' availability follows edgelearn/status.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { silentLogger } from "../../host/logger.js";
import { startApp } from "../../host/app/start.js";
import { configTopic, deviceId, devicePayload, entitySlug, FLAGGED_HOLD_SECONDS, type PredictionOutput } from "../../host/homeassistant/discovery.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { discoveryClientId } from "../../host/homeassistant/publisher.js";
import { requireMosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { client, waitFor, type Received } from "../helpers/mqtt.js";
import { checkDiscovery } from "./checker.js";
import { renderTemplate } from "./template.js";

const DEVICES: Record<string, { task: string; target?: string; features: string[]; reading: (i: number) => Record<string, number> }> = {
  "reg-1": { task: "regression", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 7, b: i % 3, y: 2 * (i % 7) - (i % 3) }) },
  "cls-1": { task: "classification", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 7, b: i % 3, y: i % 7 > 3 ? 1 : 0 }) },
  "ano-1": { task: "anomaly", features: ["a", "b"], reading: (i) => ({ a: (i * 7) % 11, b: (i * 3) % 5 }) },
  "fc-1": { task: "forecast", target: "y", features: [], reading: (i) => ({ y: Math.sin(i / 5) }) },
  "clu-1": { task: "cluster", features: ["a", "b"], reading: (i) => ({ a: i % 2 ? 10 + (i % 3) : i % 3, b: i % 2 ? 5 : 0 }) },
  "room 2.ä": { task: "regression", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 5, b: 1, y: i % 5 }) },
};

test("discovery: template subset renders as Home Assistant would", () => {
  const pred = '{"ts":1,"prediction":1.5,"error":-0.25,"flags":["learned","predicted","drift"]}';
  assert.equal(renderTemplate("{{ value_json.prediction }}", pred).text, "1.5");
  assert.equal(renderTemplate("{{ value_json.score | default(none) }}", pred).text, "None");
  assert.equal(renderTemplate('{{ value_json.prediction }}', '{"prediction":null}').text, "None");
  assert.equal(renderTemplate("{{ 'ON' if ('anomaly' in value_json.flags or 'drift' in value_json.flags) else 'OFF' }}", pred).text, "ON");
  assert.equal(renderTemplate("{{ 'ON' if 'anomaly' in value_json.flags else 'OFF' }}", pred).text, "OFF");
  assert.equal(renderTemplate("{{ value_json.score }}", pred).undefinedUsed, true);
  assert.throws(() => renderTemplate("{{ value_json.x | float }}", pred), /outside the subset/);
});

test("discovery: ids and entity ids stay inside HA's character sets, distinct for names that differ", () => {
  assert.equal(deviceId("edgelearn", "line-1"), "edgelearn_line-1");
  const a = deviceId("edgelearn", "room 2.ä");
  const b = deviceId("edgelearn", "room_2.ä");
  assert.match(a, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(a, b);
  assert.equal(entitySlug("edgelearn_line-1"), "edgelearn_line_1");
  const p = devicePayload({ prefix: "homeassistant", output: "edgelearn" }, "line-1", "regression", "0.1.0");
  assert.equal(p.cmps.prediction.default_entity_id, "sensor.edgelearn_line_1_prediction");
  assert.equal(p.cmps.problem.p, "binary_sensor");
  assert.equal(p.cmps.problem.device_class, "problem");
  assert.equal(configTopic({ prefix: "homeassistant", output: "edgelearn" }, "line-1"), "homeassistant/device/edgelearn_line-1/config");
});

test("discovery on a real Mosquitto: valid configs, retained, republished on HA online, cleared on forget, availability", { timeout: 60_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  const config = loadConfig({
    env: {},
    overrides: {
      mqtt: { url: broker.url, clientId: `ha-test-${process.pid}`, reconnect: { minDelayMs: 50, maxDelayMs: 500 } },
      model: { task: "anomaly" },
      devices: Object.entries(DEVICES).map(([match, d]) => ({ match, task: d.task, features: d.features, ...(d.target ? { target: d.target } : {}) })),
      store: { type: "memory" },
      output: { healthIntervalSeconds: 1 },
      http: { enabled: false },
      homeassistant: { enabled: true },
    },
  });
  const watcher = await client(broker.url);
  await watcher.c.subscribeAsync(["homeassistant/#", "edgelearn/#"], { qos: 1 });
  const running = await startApp(config, { logger: silentLogger });
  try {
    await running.service.ready;
    const pub = await client(broker.url);
    for (let i = 0; i < 60; i++) for (const [name, d] of Object.entries(DEVICES)) await pub.c.publishAsync(`sensors/${name}`, JSON.stringify(d.reading(i)), { qos: 1 });
    const configs = () => watcher.got.filter((m) => m.topic.startsWith("homeassistant/device/"));
    await waitFor(() => new Set(configs().map((m) => m.topic)).size === Object.keys(DEVICES).length, "one config per device", 15_000);
    running.service.publishHealth(true);
    await waitFor(() => Object.keys(DEVICES).every((n) => watcher.got.some((m) => m.topic === `edgelearn/${n}/health`)), "health of every device", 10_000);

    // Every config message passes HA's rules, its templates rendered against real payloads.
    const latest = (topic: string) => [...watcher.got].reverse().find((m) => m.topic === topic)!.text;
    const uniqueIds = new Set<string>();
    for (const name of Object.keys(DEVICES)) {
      const topic = configTopic({ prefix: "homeassistant", output: "edgelearn" }, name);
      const msgs = configs().filter((m) => m.topic === topic);
      assert.ok(msgs.length >= 1, `config of ${name}`);
      const payloads = new Map([
        [`edgelearn/${name}/prediction`, latest(`edgelearn/${name}/prediction`)],
        [`edgelearn/${name}/health`, latest(`edgelearn/${name}/health`)],
      ]);
      const problems = checkDiscovery(topic, msgs[msgs.length - 1].text, { prefix: "homeassistant", statusTopic: "edgelearn/status", payloads, uniqueIds });
      assert.deepEqual(problems, [], `${name}: ${problems.join("; ")}`);
      const p = JSON.parse(msgs[0].text);
      assert.equal(p.dev.name, name);
      assert.ok(Object.values<{ p: string }>(p.cmps).some((c) => c.p === "binary_sensor"));
    }
    // The problem sensor renders ON for a real anomaly or drift payload.
    const flagged = watcher.got.find((m) => m.topic.endsWith("/prediction") && /"(anomaly|drift)"/.test(m.text));
    if (flagged) {
      const dev = flagged.topic.split("/")[1];
      const cfg = JSON.parse(latest(configTopic({ prefix: "homeassistant", output: "edgelearn" }, dev)));
      assert.equal(renderTemplate(cfg.cmps.problem.value_template, flagged.text).text, "ON");
    }

    // Retained: a client that connects now still receives every config.
    const late = await client(broker.url);
    await late.c.subscribeAsync("homeassistant/device/+/config", { qos: 1 });
    await waitFor(() => late.got.length === Object.keys(DEVICES).length, "retained configs", 5000);
    assert.ok(late.got.every((m: Received) => m.retain));
    await late.c.endAsync();

    // HA restarts: its birth message makes edgelearn publish every config again.
    const before = configs().length;
    await pub.c.publishAsync("homeassistant/status", "online", { qos: 1 });
    await waitFor(() => configs().length >= before + Object.keys(DEVICES).length, "configs published again", 5000);

    // A forgotten device: an empty retained payload removes it from HA (and from the broker).
    await pub.c.publishAsync("edgelearn/reg-1/cmd", "forget", { qos: 1 });
    const regTopic = configTopic({ prefix: "homeassistant", output: "edgelearn" }, "reg-1");
    await waitFor(() => watcher.got.some((m) => m.topic === regTopic && m.text === ""), "empty config for reg-1", 5000);
    await waitFor(() => watcher.got.some((m) => m.topic === "edgelearn/reg-1/health" && m.text === ""), "reg-1's retained health cleared", 5000);
    const after = await client(broker.url);
    await after.c.subscribeAsync("homeassistant/device/+/config", { qos: 1 });
    await waitFor(() => after.got.length === Object.keys(DEVICES).length - 1, "retained configs without reg-1", 5000);
    assert.ok(!after.got.some((m) => m.topic === regTopic));
    await after.c.endAsync();

    // Availability: edgelearn/status is online now, offline after a clean stop.
    assert.equal(latest("edgelearn/status"), "online");
    await pub.c.endAsync();
    await running.stop();
    await waitFor(() => latest("edgelearn/status") === "offline", "status offline", 5000);
  } finally {
    await running.stop();
    await watcher.c.endAsync();
    await broker.cleanup();
  }
});

test("discovery: the checker catches what HA would refuse or misread", () => {
  const t = { prefix: "homeassistant", output: "edgelearn" };
  const good = devicePayload(t, "x", "regression", "0.1.0");
  const payloads = new Map([
    ["edgelearn/x/prediction", '{"ts":1,"prediction":2,"error":0.5,"flags":["learned","predicted"]}'],
    ["edgelearn/x/health", '{"readings":3,"drifts":0}'],
  ]);
  const check = (p: unknown, topic = configTopic(t, "x")) => checkDiscovery(topic, JSON.stringify(p), { prefix: "homeassistant", statusTopic: "edgelearn/status", payloads, uniqueIds: new Set() });
  assert.deepEqual(check(good), []);
  const mutate = (f: (p: any) => void) => {
    const p = structuredClone(good);
    f(p);
    return check(p).join("; ");
  };
  assert.match(mutate((p) => (p.cmps.prediction.object_id = "x")), /object_id is deprecated/);
  assert.match(mutate((p) => delete p.o), /o\.name: missing/);
  assert.match(mutate((p) => (p.availability[0].topic = "other/status")), /availability: not tied to edgelearn\/status/);
  assert.match(mutate((p) => (p.cmps.prediction.value_template = "{{ value_json.score }}")), /uses a field the payload does not carry/);
  assert.match(mutate((p) => (p.cmps.problem.value_template = "{{ value_json.flags }}")), /expected ON or OFF/);
  assert.match(mutate((p) => (p.cmps.error.unique_id = p.cmps.prediction.unique_id)), /used twice/);
  assert.match(mutate((p) => (p.cmps.prediction.default_entity_id = "edgelearn_x_prediction")), /default_entity_id: expected sensor\./);
  assert.match(mutate((p) => (p.cmps.prediction.off_delay = 60)), /off_delay: only binary sensors/);
  assert.match(mutate((p) => (p.cmps.problem.off_delay = 0.5)), /off_delay: 0\.5 is not a positive whole number/);
  assert.match(mutate((p) => (p.cmps.prediction.expire_after = -1)), /expire_after: -1 is not a positive whole number/);
  assert.match(check(good, "homeassistant/sensor/x/config").join(), /not <prefix>\/device\/<id>\/config/);
});

test("discovery follows the publish rule: the problem sensor turns OFF by itself where no OFF may come; no prediction entities without predictions", () => {
  const t = { prefix: "homeassistant", output: "edgelearn" };
  const payloads = new Map([
    ["edgelearn/x/prediction", '{"ts":1,"prediction":2,"error":0.5,"flags":["learned","predicted","anomaly"]}'],
    ["edgelearn/x/health", '{"readings":3,"drifts":0}'],
  ]);
  const payload = (out: PredictionOutput) => {
    const p = devicePayload(t, "x", "regression", "0.1.0", out);
    assert.deepEqual(checkDiscovery(configTopic(t, "x"), JSON.stringify(p), { prefix: "homeassistant", statusTopic: "edgelearn/status", payloads, uniqueIds: new Set() }), []);
    return p.cmps;
  };
  const timing = (c: Record<string, unknown>) => ({ off_delay: c.off_delay, expire_after: c.expire_after });
  const none = { off_delay: undefined, expire_after: undefined };

  // every (any N): every unflagged reading published sends OFF; values are fresh.
  for (const every of [1, 10]) {
    const c = payload({ predictions: true, publish: { mode: "every", every } });
    for (const k of Object.keys(c)) assert.deepEqual(timing(c[k]), none, `every ${every}: ${k}`);
  }
  // change: OFF comes with the next changed prediction, maybe never; the values stay current.
  const change = payload({ predictions: true, publish: { mode: "change", every: 1 } });
  assert.deepEqual(timing(change.problem), { off_delay: FLAGGED_HOLD_SECONDS, expire_after: undefined });
  for (const k of ["prediction", "error", "drifts", "readings"]) assert.deepEqual(timing(change[k]), none, `change: ${k}`);
  // flagged: only flagged readings are published, so no OFF ever comes and values go stale.
  const flagged = payload({ predictions: true, publish: { mode: "flagged", every: 1 } });
  assert.deepEqual(timing(flagged.problem), { off_delay: FLAGGED_HOLD_SECONDS, expire_after: undefined });
  for (const k of ["prediction", "error"]) assert.deepEqual(timing(flagged[k]), { off_delay: undefined, expire_after: FLAGGED_HOLD_SECONDS }, `flagged: ${k}`);
  for (const k of ["drifts", "readings"]) assert.deepEqual(timing(flagged[k]), none, `flagged: health ${k}`);
  // output.predictions false: nothing is published on the prediction topic; only the health's entities.
  for (const mode of ["every", "flagged"] as const) {
    const off = payload({ predictions: false, publish: { mode, every: 1 } });
    assert.deepEqual(Object.keys(off).sort(), ["drifts", "readings"]);
    assert.ok(Object.values(off).every((c) => c.state_topic === "edgelearn/x/health"));
  }
  // The default (no rule given) is a prediction for every reading.
  assert.deepEqual(Object.keys(devicePayload(t, "x", "anomaly", "0.1.0").cmps).sort(), ["drifts", "problem", "readings", "score"]);
});

test("the publisher announces each device with its own publish rule and with output.predictions", { timeout: 30_000 }, async () => {
  const broker = await startBroker(0);
  const watcher = await client(broker.url, { protocolVersion: 4 });
  await watcher.c.subscribeAsync("homeassistant/device/+/config", { qos: 1 });
  const start = (output: string, extra: Record<string, unknown>) =>
    startApp(
      loadConfig({
        env: {},
        overrides: {
          mqtt: { url: broker.url, protocolVersion: 4, clientId: `ha-rule-${output}-${process.pid}` },
          model: { task: "anomaly", features: ["a"] },
          store: { type: "none" },
          http: { enabled: false },
          homeassistant: { enabled: true },
          topics: { output },
          ...extra,
        },
      }),
      { logger: silentLogger, connect: false },
    );
  const latest = (output: string, device: string) => {
    const topic = configTopic({ prefix: "homeassistant", output }, device);
    const m = [...watcher.got].reverse().find((x) => x.topic === topic);
    return m && (JSON.parse(m.text) as { cmps: Record<string, Record<string, unknown>> }).cmps;
  };
  const ruled = await start("ruled", { output: { publish: { mode: "flagged" } }, devices: [{ match: "plain-*", publish: { mode: "every" } }] });
  const silent = await start("silent", { output: { predictions: false } });
  try {
    for (const [app, device] of [[ruled, "flag-1"], [ruled, "plain-1"], [silent, "quiet-1"]] as const) {
      app.service.handle(`${app.service.config.topics.input}/${device}`, Buffer.from('{"a":1}'));
    }
    await waitFor(() => !!latest("ruled", "flag-1") && !!latest("ruled", "plain-1") && !!latest("silent", "quiet-1"), "three configs", 10_000);
    assert.equal(latest("ruled", "flag-1")!.problem.off_delay, FLAGGED_HOLD_SECONDS);
    assert.equal(latest("ruled", "flag-1")!.score.expire_after, FLAGGED_HOLD_SECONDS);
    assert.equal(latest("ruled", "plain-1")!.problem.off_delay, undefined, "the device rule's mode every wins");
    assert.deepEqual(Object.keys(latest("silent", "quiet-1")!).sort(), ["drifts", "readings"]);
  } finally {
    await ruled.stop();
    await silent.stop();
    await watcher.c.endAsync();
    await broker.close();
  }
});

test("the discovery connection's client id is never the service's own, up to mqtt.clientId's 64 characters", () => {
  assert.equal(discoveryClientId("edgelearn-gw1"), "edgelearn-gw1-ha");
  for (let n = 1; n <= 64; n++) {
    for (const id of ["x".repeat(n), `${"x".repeat(Math.max(0, n - 3))}-ha`.slice(-n)]) {
      const own = discoveryClientId(id);
      assert.notEqual(own, id, `length ${n}: ${id}`);
      assert.ok(own.length <= 64, `length ${n}: ${own.length} characters`);
    }
  }
});

test("with a 64-character mqtt.clientId the service and discovery stay connected side by side", { timeout: 30_000 }, async () => {
  const broker = await startBroker(0);
  const clientId = "g".repeat(64);
  const connected = new Set<string>();
  let drops = 0;
  broker.aedes.on("client", (c) => connected.add(c.id));
  broker.aedes.on("clientDisconnect", (c) => {
    connected.delete(c.id);
    drops++;
  });
  const running = await startApp(
    loadConfig({
      env: {},
      overrides: {
        mqtt: { url: broker.url, protocolVersion: 4, clientId, reconnect: { minDelayMs: 50, maxDelayMs: 200 } },
        model: { task: "anomaly", features: ["a"] },
        store: { type: "none" },
        http: { enabled: false },
        homeassistant: { enabled: true },
      },
    }),
    { logger: silentLogger },
  );
  try {
    await running.service.ready;
    await waitFor(() => connected.has(clientId) && connected.has(discoveryClientId(clientId)), "both connections", 5000);
    // A takeover (one id for both) would show as connections dropped: give it time to happen.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(drops, 0, "no connection was dropped");
    assert.equal(running.service.connection?.connected, true);
  } finally {
    await running.stop();
    await broker.close();
  }
});
