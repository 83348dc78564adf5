// The dashboard's device list and live stream against what the service publishes: the list shows
// only a released metric, and the stream shows only outputs of devices someone is watching.

import { test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../helpers/mqtt.js";
import { publish, setup } from "./service.js";

interface Listed {
  name: string;
  metric: { name: string; value: number } | null;
}

test("after a reset the list withdraws the device's metric, as health and Prometheus do", async () => {
  const s = await setup({ perDeviceMetrics: true });
  const listed = async () => ((await (await s.get("/api/devices")).json()) as { devices: Listed[] }).devices[0];
  try {
    await publish(s.broker.url, "r1", 80);
    await waitFor(() => s.service.counters.readings >= 80, "80 readings");
    s.service.publishHealth(true);
    assert.equal((await listed()).metric?.name, "mae_ew", "a released metric is listed");
    s.service.resetDevice("r1");
    s.service.publishHealth(true);
    const health = s.service.deviceHealth("r1");
    assert.ok(health.ok && JSON.stringify(health.value.metrics) === "{}", "health withdraws the release");
    assert.ok(!(await (await s.get("/metrics")).text()).includes('edgelearn_device_model_metric{device="r1"'), "so does Prometheus");
    assert.equal((await listed()).metric, null, "and the list");
  } finally {
    await s.stop();
  }
});
