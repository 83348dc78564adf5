// deploy/grafana-dashboard.json queries only series that /metrics really exports (with
// per-device metrics on), and every panel takes its data source from the dashboard's variable.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../host/config/load.js";
import { silentLogger } from "../../host/logger.js";
import { Service } from "../../host/service/service.js";
import { MemoryStore } from "../../host/store/memory.js";
import { ServiceMetrics } from "../../host/metrics/registry.js";
import { timedStore } from "../../host/metrics/timed-store.js";

interface Panel {
  type: string;
  datasource?: { uid: string };
  targets?: { expr: string }[];
}

test("the Grafana dashboard queries series that /metrics exports", async () => {
  const dash = JSON.parse(readFileSync("deploy/grafana-dashboard.json", "utf8")) as { panels: Panel[]; annotations: { list: { expr: string }[] } };
  const config = loadConfig({ env: {}, overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "memory", checkpoint: { everyReadings: 10 } } } });
  const metrics = new ServiceMetrics(true);
  const publisher = { connected: true, publish() {} };
  const service = new Service(config, { connect: false, publisher, logger: silentLogger, store: timedStore(new MemoryStore(), metrics) });
  metrics.attach(service);
  service.start();
  for (let i = 0; i < 30; i++) service.handle("sensors/d1", Buffer.from(JSON.stringify({ a: i % 5, y: i % 5 })));
  service.handle("sensors/d1", Buffer.from("{"));
  service.publishHealth(true);
  const text = (await metrics.text()).body;
  const exported = new Set([...text.matchAll(/^([a-z_:]+)(?:\{| )/gm)].map((m) => m[1]));

  const exprs = [...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dash.annotations.list.map((a) => a.expr)];
  assert.ok(exprs.length > 20);
  const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:edgelearn|process|nodejs)_[a-z_]+)/g)].map((m) => m[1])));
  const missing = [...used].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `queried but not exported: ${missing.join(", ")}`);
  for (const p of dash.panels) if (p.type !== "row") assert.equal(p.datasource?.uid, "${datasource}", JSON.stringify(p).slice(0, 80));
  metrics.stop();
  await service.stop();
});
