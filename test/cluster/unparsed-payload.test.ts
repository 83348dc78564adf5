// A payload that does not parse creates no device in cluster mode either (as on a single host):
// junk published on new device names must not use up pool.maxDevices, or a worker would refuse
// the real devices of its partitions as device_cap. It is counted in the worker's health as
// refused.bad_payload (unknown_topic or device_cap when the name would be refused anyway); junk
// for a device that exists is counted on that device, as before.

import { test } from "node:test";
import assert from "node:assert/strict";
import { deviceOfKey } from "../../host/cluster/names.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

test("cluster: junk on new device names creates no device (bad_payload), so the pool keeps room for real devices", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  const c = oneNodeConfig(nats, { devices: [{ match: "dev-*" }], pool: { maxDevices: 2, acceptUnknown: false } });
  const { h, lines, learner: newLearner, own, send } = await onePartition(t, nats, c);
  const learner = newLearner();
  const o = await own("t", learner);
  const good = (i: number) => JSON.stringify({ x: i, y: 2 * i + 1 });
  for (let i = 0; i < 5; i++) await send(`dev-junk${i}`, i % 2 ? "not json" : '{"x": 1,');
  await send("other-1", "not json"); // no rule accepts the name
  await send("dev-a", good(0));
  await send("dev-b", good(0));
  await send("dev-c", "not json"); // the pool is full now
  await send("dev-c", good(0));
  await send("dev-a", "not json"); // junk for a device that exists: counted on it
  const last = await send("dev-a", good(1));
  await waitFor("every reading handled", () => learner.pool.get("dev-a")?.meta.seq === last, 10_000);

  assert.deepEqual(learner.refused, { bad_payload: 5, unknown_topic: 1, device_cap: 2 });
  assert.deepEqual([...learner.pool.names()].sort(), ["dev-a", "dev-b"], "only the devices whose payload parsed");
  assert.equal(learner.learned, 3, "dev-a twice, dev-b once");
  assert.deepEqual(learner.pool.get("dev-a")!.meta.rejectedObject(), { malformed_json: 1 });

  await o.checkpoint();
  const keys: string[] = [];
  for await (const k of await h.models.keys("d.>")) keys.push(deviceOfKey(k));
  assert.deepEqual(keys.sort(), ["dev-a", "dev-b"], "checkpoints of the real devices only");
  assert.ok(!lines.some((l) => /^error/.test(l)), lines.join("\n"));
});
