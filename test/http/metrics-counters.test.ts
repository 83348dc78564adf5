// Host-wide counters summed over devices stay counters: forgetting a device must not make them
// fall (Prometheus would read a reset and count the whole value again in rate() and increase()).

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { silentLogger } from "../../host/logger.js";
import { Service } from "../../host/service/service.js";
import { ServiceMetrics } from "../../host/metrics/registry.js";
import { conceptChange } from "../helpers/concept-change.js";

const value = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test("edgelearn_drifts_total and edgelearn_rejected_total keep a forgotten device's counts", async () => {
  const config = loadConfig({ env: {}, overrides: { model: { task: "regression", target: "y", features: ["a", "b"] }, store: { type: "none" } } });
  const service = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger: silentLogger }).start();
  const metrics = new ServiceMetrics().attach(service);
  try {
    const send = (device: string, body: string) => service.handle(`${config.topics.input}/${device}`, Buffer.from(body));
    // A concept change on m1 (drifts), malformed payloads on m1 and m2.
    for (const row of conceptChange(6000, 3000, 7, 0.02)) send("m1", JSON.stringify(row));
    for (let i = 0; i < 3; i++) send("m1", "{broken");
    send("m2", JSON.stringify({ a: 1, b: 2, y: 3 }));
    send("m2", "{broken");

    const before = (await metrics.text()).body;
    const drifts = value(before, "edgelearn_drifts_total")!;
    assert.ok(drifts >= 1, "the concept change drifted");
    assert.equal(value(before, 'edgelearn_rejected_total{reason="malformed_json"}'), 4);

    assert.equal(service.forgetDevice("m1").ok, true);
    const after = (await metrics.text()).body;
    assert.equal(value(after, "edgelearn_drifts_total"), drifts, "drifts do not fall when m1 is forgotten");
    assert.equal(value(after, 'edgelearn_rejected_total{reason="malformed_json"}'), 4, "rejections do not fall either");
    assert.equal(value(after, "edgelearn_devices"), 1, "the device itself is gone");

    // Counting goes on from there, for a device that comes back too (a payload that does not
    // parse creates no device: it comes back with a reading).
    send("m1", JSON.stringify({ a: 1, b: 2, y: 3 }));
    send("m1", "{broken");
    assert.equal(value((await metrics.text()).body, 'edgelearn_rejected_total{reason="malformed_json"}'), 5);
  } finally {
    metrics.stop();
    await service.stop();
  }
});
