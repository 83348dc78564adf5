// Cluster checkpoints carry the model's feature names, so after a handover (another worker
// loading the partition) inferred features come back by name, not inferred again from the next
// reading (whose fields may differ), and a model learned on other configured features is not
// loaded (warning, fresh start). Records without names (version 1, written by the previous
// release) still load as before.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Count } from "../../host/learner/index.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { modelKey } from "../../host/cluster/names.js";
import type { ClusterLearner } from "../../host/cluster/learn.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

test("checkpoint record: version 2 carries feature names; version 1 decodes without; damaged names are refused", () => {
  const blob = Uint8Array.from([1, 2, 3, 4]);
  const v2 = decodeCheckpoint(encodeCheckpoint(7, blob, ["a", "b"]));
  assert.deepEqual(v2, { seq: 7, blob, features: ["a", "b"] });
  const v1 = encodeCheckpoint(7, blob);
  assert.equal(new DataView(v1.buffer).getUint16(4, true), 1, "no names: version 1, as the previous release wrote");
  assert.deepEqual(decodeCheckpoint(v1), { seq: 7, blob });
  const cut = encodeCheckpoint(7, new Uint8Array(0), ["a", "b"]);
  assert.match(decodeCheckpoint(cut.subarray(0, cut.length - 2)) as string, /not a list of names|cut off/);
  const bad = encodeCheckpoint(7, blob, ["a"]);
  bad[20] = 0x7b; // "{" for "["
  assert.equal(decodeCheckpoint(bad), "feature names are not a list of names");
});

test("cluster handover: inferred features come back by name, other configured features are not loaded, old records load", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  const inferred = oneNodeConfig(nats, { model: { task: "regression", target: "y", features: [] } });
  const part = await onePartition(t, nats, inferred);
  const { send, own, lines } = part;
  const modelReadings = (l: ClusterLearner, name: string) => {
    const d = l.pool.get(name)!;
    return d.hasModel ? l.pool.use(d).count(Count.Readings) : 0;
  };
  const until = (l: ClusterLearner, name: string, seq: number) => waitFor(`${name} at stream sequence ${seq}`, () => l.pool.get(name)?.meta.seq === seq, 10_000);

  // Worker A infers [a, b] from dev-1's first reading, learns 3 readings, hands over cleanly.
  const a = part.learner();
  const ownerA = await own("a", a);
  let seq = 0;
  for (let i = 0; i < 3; i++) seq = await send("dev-1", JSON.stringify({ b: i, a: 2 * i, y: i + 1 }));
  await until(a, "dev-1", seq);
  await ownerA.release();

  // Worker B loads it: the names are known before any reading, and a reading with other fields
  // (c instead of b: the same count, which inference would have taken as the model's inputs) is
  // refused, not learned on the wrong field.
  const b = part.learner();
  const ownerB = await own("b", b);
  assert.deepEqual(b.pool.get("dev-1")!.meta.featureNames(), ["a", "b"]);
  seq = await send("dev-1", JSON.stringify({ a: 1, c: 5, y: 2 }));
  await until(b, "dev-1", seq);
  assert.equal(modelReadings(b, "dev-1"), 3, "not learned");
  assert.deepEqual(b.pool.get("dev-1")!.meta.rejectedObject(), { missing_field: 1 });
  // A reading with more fields than the model's two continues the model on a and b.
  seq = await send("dev-1", JSON.stringify({ a: 1, b: 2, c: 5, y: 2 }));
  await until(b, "dev-1", seq);
  assert.equal(modelReadings(b, "dev-1"), 4, "the checkpointed model continues");
  assert.ok(!lines.some((l) => /starting fresh|not loaded|refused/.test(l)), lines.join("\n"));
  await ownerB.release();

  // A record of the previous release (version 1, no names) still loads.
  const { h } = part;
  const entry = await h.models.get(modelKey(0, "dev-1"));
  const stored = decodeCheckpoint(entry!.value);
  assert.ok(typeof stored !== "string" && stored.features?.join() === "a,b", "B's checkpoint has the names");
  if (typeof stored === "string") return;
  await h.models.put(modelKey(0, "dev-1"), encodeCheckpoint(stored.seq, stored.blob));
  const c = part.learner();
  const ownerC = await own("c", c);
  assert.ok(c.pool.get("dev-1")!.hasModel, "the version-1 record is loaded");
  assert.equal(modelReadings(c, "dev-1"), 4);
  await ownerC.release();

  // A worker configured with other features (same count) does not load it: fresh start.
  const other = part.learner(oneNodeConfig(nats, { model: { task: "regression", target: "y", features: ["a", "c"] } }));
  await h.models.put(modelKey(0, "dev-1"), entry!.value);
  const ownerD = await own("d", other);
  assert.equal(other.pool.get("dev-1")!.hasModel, false);
  assert.ok(lines.some((l) => /^warn.*dev-1: checkpoint refused \(the checkpoint was learned on features a, b, the device's are a, c\)/.test(l)), lines.join("\n"));
  seq = await send("dev-1", JSON.stringify({ a: 1, c: 5, y: 2 }));
  await until(other, "dev-1", seq);
  assert.equal(modelReadings(other, "dev-1"), 1, "a new model");
  await ownerD.release();
});
