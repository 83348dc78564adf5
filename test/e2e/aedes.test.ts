// End to end against the embedded aedes broker (what the demo runs; MQTT 3.1.1 only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { silentLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { client, waitFor } from "../helpers/mqtt.js";

test("aedes: flat and SenML readings, predictions, health, commands on the default reply topic", async (t) => {
  const broker = await startBroker(0);
  t.after(() => broker.close());
  const config = loadConfig({
    file: "config/edgelearn.example.yaml",
    env: {},
    overrides: {
      mqtt: { url: broker.url, protocolVersion: 4, clientId: "edgelearn-aedes" },
      output: { healthIntervalSeconds: 1 },
      store: { type: "memory" },
    },
  });
  const s = startService(config, { logger: silentLogger, store: new MemoryStore() });
  t.after(() => s.stop());
  await s.ready;
  const c = await client(broker.url, { protocolVersion: 4 });
  await c.c.subscribeAsync({ "edgelearn/#": { qos: 1 } });
  for (let i = 0; i < 40; i++) {
    await c.c.publishAsync("sensors/meter-7", JSON.stringify({ ts: new Date(1.7e12 + i * 1000).toISOString(), voltage: 220 + i, current: 2, power: 440 + 2 * i }), { qos: 1 });
  }
  const senml = [
    { bn: "urn:dev:room-2:", bt: 1.7e9, n: "temperature", v: 21.5, u: "Cel" },
    { n: "co2", v: 600 },
    { n: "temperature", v: 21.6, t: 10 },
    { n: "co2", v: 610, t: 10 },
  ];
  await c.c.publishAsync("sensors/room-2", JSON.stringify(senml), { qos: 1 });
  await waitFor(() => c.json("edgelearn/meter-7/prediction").length === 40 && c.json("edgelearn/room-2/prediction").length === 2, "predictions");
  assert.deepEqual(c.json("edgelearn/meter-7/prediction").map((p) => p.ts), Array.from({ length: 40 }, (_, i) => 1.7e12 + i * 1000));
  assert.deepEqual(c.json("edgelearn/room-2/prediction").map((p) => p.ts), [1.7e12, 1.7e12 + 10000]);
  await c.c.publishAsync("edgelearn/room-2/cmd", "health", { qos: 1 });
  await waitFor(() => c.json("edgelearn/room-2/reply").length === 1, "reply");
  const r = c.json("edgelearn/room-2/reply")[0];
  assert.equal(r.ok, true);
  assert.equal(r.health.task, "anomaly");
  assert.deepEqual(r.health.features, ["co2", "temperature"]);
  await waitFor(() => c.json("edgelearn/meter-7/health").some((h) => h.readings === 40), "health");
  await c.c.endAsync();
});
