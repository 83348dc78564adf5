// Home Assistant discovery against a real Mosquitto: every config message is checked against
// HA's rules with templates rendered against the device's real prediction and health payloads;
// configs are retained, published again when HA announces `online`, cleared when a device is
// forgotten, and the entities' availability follows edgelearn/status.

import { test } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import type { Task } from "../../host/config/types.js";
import { silentLogger } from "../../host/logger.js";
import { startApp } from "../../host/app/start.js";
import { configTopic, deviceId, devicePayload, entityObjectId, FLAGGED_HOLD_SECONDS, haSlug, type PredictionOutput } from "../../host/homeassistant/discovery.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { discoveryClientId } from "../../host/homeassistant/publisher.js";
import { requireMosquitto, startMosquitto } from "../helpers/mosquitto.js";
import { client, waitFor, type Received } from "../helpers/mqtt.js";
import { checkDiscovery } from "./checker.js";
import { renderTemplate } from "./template.js";

const DEVICES: Record<string, { task: Task; target?: string; features: string[]; reading: (i: number) => Record<string, number> }> = {
  "reg-1": { task: "regression", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 7, b: i % 3, y: 2 * (i % 7) - (i % 3) }) },
  "cls-1": { task: "classification", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 7, b: i % 3, y: i % 7 > 3 ? 1 : 0 }) },
  "ano-1": { task: "anomaly", features: ["a", "b"], reading: (i) => ({ a: (i * 7) % 11, b: (i * 3) % 5 }) },
  "fc-1": { task: "forecast", target: "y", features: [], reading: (i) => ({ y: Math.sin(i / 5) }) },
  "clu-1": { task: "cluster", features: ["a", "b"], reading: (i) => ({ a: i % 2 ? 10 + (i % 3) : i % 3, b: i % 2 ? 5 : 0 }) },
  "room 2.ä": { task: "regression", target: "y", features: ["a", "b"], reading: (i) => ({ a: i % 5, b: 1, y: i % 5 }) },
  // Three names Home Assistant would once have given one entity id (and _2, _3 by arrival order).
  "Line-1": { task: "anomaly", features: ["a", "b"], reading: (i) => ({ a: i % 4, b: 1 }) },
  "line_1": { task: "anomaly", features: ["a", "b"], reading: (i) => ({ a: i % 4, b: 2 }) },
  "line-1": { task: "anomaly", features: ["a", "b"], reading: (i) => ({ a: i % 4, b: 3 }) },
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
  assert.equal(haSlug("edgelearn_Line-1"), "edgelearn_line_1");
  assert.equal(haSlug("__Room  2.ä_"), "room_2");
  const p = devicePayload({ prefix: "homeassistant", output: "edgelearn" }, "line_1", "regression", "0.1.0");
  assert.equal(p.cmps.prediction.default_entity_id, "sensor.edgelearn_line_1_prediction");
  assert.equal(p.cmps.problem.default_entity_id, "binary_sensor.edgelearn_line_1_problem");
  assert.equal(p.cmps.problem.p, "binary_sensor");
  assert.equal(p.cmps.problem.device_class, "problem");
  assert.equal(configTopic({ prefix: "homeassistant", output: "edgelearn" }, "line-1"), "homeassistant/device/edgelearn_line-1/config");
});

/** Home Assistant's slugify (util.slugify, python-slugify with `_`) on ASCII text, written out: lower case, [a-z0-9] kept, any other run one `_` between words. (It spells other letters as ASCII first; every id edgelearn asks for is ASCII.) */
function haSlugify(text: string): string {
  const words: string[] = [];
  let word = "";
  for (const ch of text.toLowerCase()) {
    if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) word += ch;
    else if (word) {
      words.push(word);
      word = "";
    }
  }
  if (word) words.push(word);
  return words.join("_");
}
const hash6 = (s: string) => createHash("sha1").update(s).digest("hex").slice(0, 6);
const entityId = (device: string, output = "edgelearn") => devicePayload({ prefix: "homeassistant", output }, device, "regression", "0.1.0").cmps.prediction.default_entity_id;

test("discovery: default_entity_id is what Home Assistant keeps, and distinct device names never share one", () => {
  // A name that is already such a slug keeps its id; any other gets a hash of the exact name.
  assert.equal(entityId("line_1"), "sensor.edgelearn_line_1_prediction");
  assert.equal(entityId("line-1"), `sensor.edgelearn_line_1_${hash6("edgelearn_line-1")}_prediction`);
  assert.equal(entityId("Line-1"), `sensor.edgelearn_line_1_${hash6("edgelearn_Line-1")}_prediction`);
  assert.equal(entityId("a__b"), `sensor.edgelearn_a_b_${hash6("edgelearn_a__b")}_prediction`);
  assert.equal(entityId("a_b"), "sensor.edgelearn_a_b_prediction");
  assert.equal(entityObjectId("edgelearn", "room 2.ä"), `edgelearn_room_2_${hash6("edgelearn_room 2.ä")}`);
  assert.equal(new Set(["line_1", "line-1", "Line-1", "LINE_1", "line 1", "line__1", "_line_1"].map((n) => entityId(n))).size, 7);
  // A name with characters outside [A-Za-z0-9_-]: the id Home Assistant made of the old
  // default_entity_id (`___` collapsed) is the new one, so nothing changes for those.
  const old = (device: string) => `sensor.${deviceId("edgelearn", device).toLowerCase().replace(/[^a-z0-9_]/g, "_")}_prediction`;
  assert.equal(old("room 2.ä"), `sensor.edgelearn_room_2___${hash6("edgelearn_room 2.ä")}_prediction`);
  for (const n of ["room 2.ä", "Hall/Temp", "x y"]) assert.equal(entityId(n), `sensor.${haSlugify(old(n).slice("sensor.".length))}`, n);
  // A name ending like a hash gets a hash too: it cannot take the id of the name it imitates.
  const imitation = entityObjectId("edgelearn", "line-1").slice("edgelearn_".length);
  assert.equal(imitation, `line_1_${hash6("edgelearn_line-1")}`);
  assert.notEqual(entityObjectId("edgelearn", imitation), entityObjectId("edgelearn", "line-1"));
  assert.equal(entityObjectId("edgelearn", "node_00c0ff"), `edgelearn_node_00c0ff_${hash6("edgelearn_node_00c0ff")}`);
  // An output that is not a slug itself (upper case, a /) gives every device a hash.
  assert.equal(entityId("line_1", "plant/edgelearn"), `sensor.plant_edgelearn_line_1_${hash6("plant/edgelearn_line_1")}_prediction`);
  // Only punctuation: the hash alone.
  assert.equal(entityObjectId("--", "..."), hash6("--_..."));
});

test("discovery: random device names get distinct default_entity_ids that Home Assistant's slugify leaves as they are", () => {
  let seed = 0x5eed1e;
  const rand = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Few letters and many separators: most names share their slug with others.
  const alphabet = ["a", "b", "A", "B", "0", "1", "f", "_", "_", "-", " ", ".", "ä", "É", "/", "😀"];
  const names = new Set<string>();
  while (names.size < 10_000) {
    let n = "";
    const len = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < len; i++) n += alphabet[Math.floor(rand() * alphabet.length)];
    names.add(n);
  }
  // Names imitating another's id, and long names that differ only past Home Assistant's 255 characters.
  for (const n of [...names].slice(0, 2000)) {
    const id = entityObjectId("edgelearn", n);
    if (id.startsWith("edgelearn_")) names.add(id.slice("edgelearn_".length));
  }
  for (let i = 0; i < 50; i++) names.add(`${"long_name_".repeat(30)}${i}`);
  for (const output of ["edgelearn", "Plant/EL"]) {
    const seen = new Map<string, string>();
    for (const n of names) {
      const cmps = Object.values(devicePayload({ prefix: "homeassistant", output }, n, "classification", "0.1.0").cmps);
      for (const c of cmps) {
        const id = c.default_entity_id;
        const [platform, objectId] = [id.slice(0, id.indexOf(".")), id.slice(id.indexOf(".") + 1)];
        assert.equal(platform, c.p);
        assert.equal(haSlugify(objectId), objectId, `${output} ${JSON.stringify(n)}: ${id} is not what Home Assistant keeps`);
        assert.ok(id.length <= 255, `${JSON.stringify(n)}: ${id.length} characters`);
        const other = seen.get(id);
        assert.equal(other, undefined, `${JSON.stringify(n)} and ${JSON.stringify(other)} share ${id}`);
        seen.set(id, n);
      }
    }
    // Names that are lossless slugs (and do not end like a hash) keep them.
    for (const n of names) {
      const raw = `${output}_${n}`;
      if (haSlugify(raw) === raw && raw.length < 200 && !/_[0-9a-f]{6}$/.test(raw)) assert.equal(entityObjectId(output, n), raw);
    }
  }
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
    const entityIds = new Set<string>();
    for (const name of Object.keys(DEVICES)) {
      const topic = configTopic({ prefix: "homeassistant", output: "edgelearn" }, name);
      const msgs = configs().filter((m) => m.topic === topic);
      assert.ok(msgs.length >= 1, `config of ${name}`);
      const payloads = new Map([
        [`edgelearn/${name}/prediction`, latest(`edgelearn/${name}/prediction`)],
        [`edgelearn/${name}/health`, latest(`edgelearn/${name}/health`)],
      ]);
      const problems = checkDiscovery(topic, msgs[msgs.length - 1].text, { prefix: "homeassistant", statusTopic: "edgelearn/status", payloads, uniqueIds, entityIds });
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
  assert.match(mutate((p) => (p.cmps.prediction.default_entity_id = "sensor.edgelearn_x__prediction")), /run of _ or one at an end/);
  assert.match(mutate((p) => (p.cmps.prediction.default_entity_id = "sensor._edgelearn_x_prediction")), /run of _ or one at an end/);
  assert.match(mutate((p) => (p.cmps.prediction.default_entity_id = `sensor.${"x".repeat(250)}`)), /longer than Home Assistant's 255/);
  const twice = checkDiscovery(configTopic(t, "x"), JSON.stringify(good), { prefix: "homeassistant", statusTopic: "edgelearn/status", payloads, uniqueIds: new Set(), entityIds: new Set([good.cmps.error.default_entity_id]) });
  assert.match(twice.join("; "), /default_entity_id: sensor\.edgelearn_x_error used twice/);
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
