// A `forget` that arrives while a checkpoint round is storing the same device must stay
// forgotten in the models bucket: the round, finding the forgotten record at the same stream
// sequence, took it for a conflicting write of the same readings and put the model back over it,
// so the next owner of the partition loaded what was forgotten.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { waitFor } from "./harness.js";
import { ownerHoldingUpdates } from "./held-updates.js";

test("cluster forget during a checkpoint round: the forgotten record stays, the next owner loads no model", { timeout: 60_000 }, async (t) => {
  const setup = await ownerHoldingUpdates(t, (cp) => cp.blob.length > 0); // the rounds' writes of the model
  if (!setup) return;
  const { part, key, a, ownerA, held, release, seen } = setup;
  const { h, send, own } = part;
  const seq = await send("dev-1", JSON.stringify({ x: 2, y: 5 }));
  await seen(seq);

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
