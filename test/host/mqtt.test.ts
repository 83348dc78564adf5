import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, redactUrl, clientOptions } from "../../host/mqtt/connection.js";
import { Outbox } from "../../host/mqtt/outbox.js";
import { createLogger, RateLimitedLog, memoryLogger } from "../../host/logger.js";
import { loadConfig } from "../../host/config/load.js";

test("reconnect delays: exponential with full jitter, within [min, max]", () => {
  const lo = Array.from({ length: 12 }, (_, a) => backoffDelay(a, 500, 30000, () => 0));
  const hi = Array.from({ length: 12 }, (_, a) => backoffDelay(a, 500, 30000, () => 0.999999));
  assert.ok(lo.every((d) => d === 500));
  assert.deepEqual(hi.slice(0, 4), [500, 1000, 2000, 4000]);
  assert.equal(hi[11], 30000);
  const r = Array.from({ length: 200 }, () => backoffDelay(5, 500, 30000));
  assert.ok(r.every((d) => d >= 500 && d <= 16000));
  assert.ok(new Set(r).size > 50, "jittered");
});

test("client options: fixed id, persistent session, MQTT 5 properties, will; passwords never in logged URLs", () => {
  const c = loadConfig({ env: {}, overrides: { mqtt: { clientId: "gw-7", username: "u", password: "p" } } });
  const o = clientOptions(c.mqtt, { topic: "edgelearn/status", payload: "offline" });
  assert.equal(o.clientId, "gw-7");
  assert.equal(o.clean, false);
  assert.equal(o.protocolVersion, 5);
  assert.deepEqual(o.properties, { sessionExpiryInterval: 86400, receiveMaximum: 64 });
  assert.equal(o.reconnectPeriod, 0);
  assert.deepEqual(o.will, { topic: "edgelearn/status", payload: Buffer.from("offline"), qos: 1, retain: true });
  const v4 = clientOptions(loadConfig({ env: {}, overrides: { mqtt: { protocolVersion: 4 } } }).mqtt);
  assert.equal(v4.properties, undefined);
  assert.equal(redactUrl("mqtts://user:secret@host:8883"), "mqtts://user:***@host:8883");
});

test("outbox: predictions ring drops oldest, events kept in order, retained state only newest per topic", () => {
  const sent: string[] = [];
  const pub = { connected: false, publish: (t: string, p: string | Buffer) => void sent.push(`${t}=${p}`) };
  const box = new Outbox(pub, { predictionCap: 3, eventCap: 2 });
  for (let i = 0; i < 5; i++) box.prediction("p", String(i), 0);
  for (let i = 0; i < 3; i++) box.event("e", String(i));
  box.retained("h", "old");
  box.retained("h", "new");
  box.retained("s", "online");
  assert.equal(box.droppedPredictions, 2);
  assert.equal(box.droppedEvents, 1);
  assert.equal(box.queued, 3 + 2 + 2);
  pub.connected = true;
  box.flush();
  assert.deepEqual(sent, ["h=new", "s=online", "e=1", "e=2", "p=2", "p=3", "p=4"]);
  assert.equal(box.queued, 0);
});

test("logger: namespaced, lazy, rate-limited with a count of what was held back", () => {
  let calls = 0;
  const quiet = createLogger("edgelearn", { level: "warn", sink: () => {} });
  quiet.debug(() => {
    calls++;
    return "expensive";
  });
  assert.equal(calls, 0);
  const { logger, lines } = memoryLogger("info");
  logger.child("pool").info("hello");
  assert.deepEqual(lines, ["info edgelearn:pool hello"]);
  let now = 0;
  const rl = new RateLimitedLog(logger, 1000, 10, () => now);
  for (let i = 0; i < 50; i++) rl.warn("k", () => "bad input");
  now = 1500;
  rl.warn("k", () => "bad input");
  assert.deepEqual(lines.slice(1), ["warn edgelearn bad input", "warn edgelearn bad input (49 more like this held back)"]);
});
