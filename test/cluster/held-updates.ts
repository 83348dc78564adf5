// The models bucket with some checkpoint writes held back, for tests of what an owner does while
// one of its writes is on its way (a checkpoint round, a forget).

import type { TestContext } from "node:test";
import type { KV } from "@nats-io/kv";
import { decodeCheckpoint, type Checkpoint } from "../../host/cluster/checkpoint.js";
import { modelKey } from "../../host/cluster/names.js";
import { waitFor } from "./harness.js";
import { oneNatsServer, oneNodeConfig, onePartition } from "./one-partition.js";

/**
 * The bucket with the updates of `key` whose checkpoint `hold` picks held until `release` is
 * called (those made after it go through at once); `held` counts the picked ones.
 */
export function holdingUpdates(kv: KV, key: string, hold: (cp: Checkpoint) => boolean): { kv: KV; held: () => number; release: () => void } {
  let held = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const picked = (data: Uint8Array) => {
    const cp = decodeCheckpoint(data);
    return typeof cp !== "string" && hold(cp);
  };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === "update") {
        return async (k: string, data: Uint8Array, rev: number) => {
          if (k === key && picked(data)) {
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

/**
 * Partition 0 owned by worker "a" on the bucket with the updates of dev-1's checkpoint that
 * `hold` picks held back, after dev-1's first reading is checkpointed (so its later writes are
 * updates) with the partition's floor; undefined when nats-server is missing (skipped).
 */
export async function ownerHoldingUpdates(t: TestContext, hold: (cp: Checkpoint) => boolean) {
  const nats = await oneNatsServer(t);
  if (!nats) return undefined;
  const part = await onePartition(t, nats, oneNodeConfig(nats, {}));
  const key = modelKey(0, "dev-1");
  const a = part.learner();
  const { kv, held, release } = holdingUpdates(part.h.models, key, hold);
  const ownerA = await part.own("a", a, kv);
  /** Waits until A has handled dev-1's reading at stream sequence `seq`. */
  const seen = (seq: number) => waitFor(`dev-1 at stream sequence ${seq}`, () => a.pool.get("dev-1")?.meta.seq === seq, 10_000);
  await seen(await part.send("dev-1", JSON.stringify({ x: 1, y: 3 })));
  await ownerA.checkpoint();
  return { part, key, a, ownerA, held, release, seen };
}
