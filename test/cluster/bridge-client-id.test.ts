// Each worker's MQTT bridge connects to the same listener under mqtt.clientId plus its worker
// name. With a long mqtt.clientId the worker name was cut off, so every worker had the same id
// and the listener dropped one worker's connection for the other's, over and over.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { MqttBridge } from "../../host/cluster/bridge.js";
import { bridgeClientId, MAX_CLIENT_ID } from "../../host/cluster/bridge-client-id.js";
import { memoryLogger } from "../../host/logger.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig } from "./one-partition.js";

const LONG_BASE = "edgelearn-" + "b".repeat(MAX_CLIENT_ID - 10); // the longest mqtt.clientId the config takes

test("bridge client id: the worker name is kept and the base cut, so workers never share an id", () => {
  assert.equal(bridgeClientId("edgelearn", "w1"), "edgelearn-w1", "short ids unchanged");
  const ids = (base: string, workers: string[]) => {
    const out = workers.map((w) => bridgeClientId(base, w));
    for (const id of out) assert.ok(id.length <= MAX_CLIENT_ID, `${id} is ${id.length} characters`);
    assert.equal(new Set(out).size, workers.length, `distinct ids: ${out.join(", ")}`);
    return out;
  };
  const [a] = ids(LONG_BASE, ["w1", "w2"]);
  assert.equal(a, `${LONG_BASE.slice(0, MAX_CLIENT_ID - 3)}-w1`);
  // Default worker names are <hostname>-<pid>: they differ only at the end.
  const host = "gateway-rack-07-building-north";
  const [b] = ids("edgelearn-production-site", [`${host}-4711`, `${host}-4712`]);
  assert.ok(b.endsWith(`-${host}-4711`), b);
  // A worker name too long to keep whole: its start and a hash of all of it.
  const huge = "x".repeat(100);
  const [c] = ids(LONG_BASE, [`${huge}1`, `${huge}2`, "w1"]);
  assert.ok(c.startsWith(LONG_BASE.slice(0, 16)), c);
  ids("e", [`${huge}1`, `${huge}2`]);
});

test("bridge client id: two workers under a 64-character mqtt.clientId both stay connected to nats-server's MQTT listener", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  const config = oneNodeConfig(nats, { mqtt: { url: nats.nodes[0].mqttUrl, clientId: LONG_BASE, reconnect: { minDelayMs: 50, maxDelayMs: 200 } } });
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  const logs = ["w1", "w2"].map(() => memoryLogger());
  const bridges = ["w1", "w2"].map((w, i) => new MqttBridge(config, w, nc, logs[i].logger));
  t.after(() => Promise.all(bridges.map((b) => b.stop())));
  for (const b of bridges) b.start();
  await waitFor("both bridges connected", () => bridges.every((b) => b.connected), 10_000);
  // Under one id each connection would take the other's over within the reconnect delay.
  await new Promise((r) => setTimeout(r, 2000));
  for (const [i, { lines }] of logs.entries()) {
    const connects = lines.filter((l) => l.includes("connected to")).length;
    assert.equal(connects, 1, `w${i + 1} connected once, not again and again:\n${lines.join("\n")}`);
  }
  assert.ok(bridges.every((b) => b.connected));
});
