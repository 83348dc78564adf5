// A worker configured for another task than the one a device's checkpoint was learned for does
// not load it (warning, fresh start), as on a single host: it loaded any model whose feature count
// fitted, so a device configured for anomaly detection went on as the regression model it was.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Kind } from "../../host/learner/index.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

test("cluster handover: a checkpoint of another task than the configured one is not loaded", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  const part = await onePartition(t, nats, oneNodeConfig(nats, {})); // regression of y on x
  const { send, own, lines } = part;
  const a = part.learner();
  const ownerA = await own("a", a);
  let seq = 0;
  for (let i = 0; i < 3; i++) seq = await send("dev-1", JSON.stringify({ x: i, y: 2 * i + 1 }));
  await waitFor("A learned dev-1", () => a.pool.get("dev-1")?.meta.seq === seq, 10_000);
  await ownerA.release();

  const b = part.learner(oneNodeConfig(nats, { model: { task: "anomaly", features: ["x"] } }));
  const ownerB = await own("b", b);
  assert.equal(b.pool.get("dev-1")!.hasModel, false, "the regression model is not loaded");
  assert.ok(lines.some((l) => /^warn.*dev-1: checkpoint refused \(the checkpoint is a regression model, the configuration says anomaly\)/.test(l)), lines.join("\n"));
  seq = await send("dev-1", JSON.stringify({ x: 1 }));
  await waitFor("B learned dev-1", () => b.pool.get("dev-1")?.meta.seq === seq, 10_000);
  assert.equal(b.pool.use(b.pool.get("dev-1")!).kind, Kind.Surprise, "a new anomaly model");
  await ownerB.release();
});
