// output.publish / devices[].publish: which readings get a prediction published.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { memoryLogger } from "../../host/logger.js";

const T0 = 1_764_000_000_000;

function setup(overrides: Record<string, unknown>) {
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer) => void sent.push({ topic, payload: String(payload) }) };
  const config = loadConfig({
    env: {},
    overrides: { model: { task: "regression", target: "y", features: ["a"], ranges: { a: [0, 100] } }, store: { type: "none" }, ...overrides },
  });
  const service = new Service(config, { connect: false, publisher, logger: memoryLogger("warn").logger });
  service.start();
  const send = (device: string, ts: number, a: number, y: number) => service.handle(`sensors/${device}`, Buffer.from(JSON.stringify({ ts: T0 + ts, a, y })));
  const predictions = (device: string) => sent.filter((m) => m.topic === `edgelearn/${device}/prediction`).map((m) => JSON.parse(m.payload) as { ts: number; prediction: number | null; flags: string[] }).map((p) => ({ ...p, ts: p.ts - T0 }));
  return { service, send, predictions };
}

test("default: a prediction for every reading", async () => {
  const { service, send, predictions } = setup({});
  for (let i = 0; i < 30; i++) send("d", i, i % 5, i % 5);
  assert.equal(predictions("d").length, 30);
  await service.stop();
});

test("every Nth reading per device rule, flagged readings always; other devices keep the default", async () => {
  const { service, send, predictions } = setup({ devices: [{ match: "fast-*", publish: { every: 10 } }] });
  for (let i = 0; i < 30; i++) {
    send("fast-1", i, i === 15 ? 1000 : i % 5, i % 5); // reading 15 is out of range: rejected, flagged
    send("slow", i, i % 5, i % 5);
  }
  assert.deepEqual(predictions("fast-1").map((p) => p.ts), [0, 10, 15, 20]);
  assert.ok(predictions("fast-1")[2].flags.includes("rej_range"), JSON.stringify(predictions("fast-1")[2]));
  assert.equal(predictions("slow").length, 30);
  await service.stop();
});

test("flagged: only rejected, anomalous or drifting readings", async () => {
  const { service, send, predictions } = setup({ output: { publish: { mode: "flagged" } } });
  for (let i = 0; i < 20; i++) send("d", i, i === 7 || i === 12 ? -5 : 3, 3);
  assert.deepEqual(predictions("d").map((p) => p.ts), [7, 12]);
  await service.stop();
});

test("change: only when the printed prediction differs from the last one published", async () => {
  // A constant feed: the model converges, so the prediction stops changing at 7 digits.
  const { service, send, predictions } = setup({ output: { publish: { mode: "change" } }, model: { task: "regression", target: "y", features: ["a"], params: { learning_rate: 0.5 } } });
  for (let i = 0; i < 2000; i++) send("d", i, 1, 2);
  const p = predictions("d");
  assert.ok(p.length > 1 && p.length < 2000, `${p.length} published`);
  for (let i = 1; i < p.length; i++) assert.notEqual(p[i].prediction, p[i - 1].prediction);
  await service.stop();
});
