// A `forget` that arrives while a checkpoint round is storing the same device must stay
// forgotten in the models bucket: the round, finding the forgotten record at the same stream
// sequence, took it for a conflicting write of the same readings and put the model back over it,
// so the next owner of the partition loaded what was forgotten.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { KV } from "@nats-io/kv";
import { decodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { modelKey } from "../../host/cluster/names.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

/** The bucket with model writes (update) of `key` held until `release` is called. */
function holdingUpdates(kv: KV, key: string): { kv: KV; held: () => number; release: () => void } {
  let held = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === "update") {
        return async (k: string, data: Uint8Array, rev: number) => {
          if (k === key && data.length > 40) {
            held++;
            await gate;
          }
          return target.update(k, data, rev);
        };
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { kv: proxy, held: () => held, release: open };
}

test("cluster forget during a checkpoint round: the forgotten record stays, the next owner loads no model", { timeout: 60_000 }, async (t) => {
  const nats = await oneNatsServer(t);
  if (!nats) return;
  const part = await onePartition(t, nats, oneNodeConfig(nats, {}));
  const { h, send, own } = part;
  const key = modelKey(0, "dev-1");
  const a = part.learner();
  const { kv, held, release } = holdingUpdates(h.models, key);
  const ownerA = await own("a", a, kv);
  let seq = await send("dev-1", JSON.stringify({ x: 1, y: 3 }));
  await waitFor("the first reading", () => a.pool.get("dev-1")?.meta.seq === seq, 10_000);
  await ownerA.checkpoint(); // created: later rounds update it
  seq = await send("dev-1", JSON.stringify({ x: 2, y: 5 }));
  await waitFor("the second reading", () => a.pool.get("dev-1")?.meta.seq === seq, 10_000);

  const round = ownerA.checkpoint(); // held in its write of dev-1
  await waitFor("the round's write of dev-1", () => held() === 1, 10_000);
  const forgotten = ownerA.forgetDevice(a.pool.get("dev-1")!);
  await new Promise((r) => setTimeout(r, 200));
  release();
  await round;
  assert.equal(await forgotten, true, "forgotten");
  const entry = await h.models.get(key);
  const cp = decodeCheckpoint(entry!.value);
  assert.ok(typeof cp !== "string" && cp.blob.length === 0 && cp.seq === seq, `the forgotten record at sequence ${seq}, not the model (${typeof cp === "string" ? cp : `${cp.blob.length} bytes at ${cp.seq}`})`);
  await ownerA.release();

  const b = part.learner();
  await own("b", b);
  assert.equal(b.pool.get("dev-1")?.hasModel, false, "the next owner loads no model");
});
