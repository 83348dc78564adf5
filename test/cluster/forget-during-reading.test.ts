// A reading of a device handled while its `forget` is being stored is learned into the model the
// forget then drops. The forgotten record must cover it: at the stream sequence before it, a
// later owner replaying the partition from an older floor learned it into a new model, which the
// forgetting owner had dropped (the two owners' states differed, and a forgotten reading was
// learned).

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { waitFor } from "./harness.js";
import { ownerHoldingUpdates } from "./held-updates.js";

test("cluster forget while a reading arrives: the forgotten record covers it, and a later owner does not learn it again", { timeout: 60_000 }, async (t) => {
  // dev-1's model and the partition's floor are stored before the reading below.
  const setup = await ownerHoldingUpdates(t, (cp) => cp.blob.length === 0); // forget's writes
  if (!setup) return;
  const { part, key, a, ownerA, held, release, seen } = setup;
  const { h, send, own } = part;

  const forgotten = ownerA.forgetDevice(a.pool.get("dev-1")!);
  await waitFor("forget's write of dev-1", () => held() === 1, 10_000);
  const during = await send("dev-1", JSON.stringify({ x: 2, y: 5 }));
  await seen(during);
  release();
  assert.equal(await forgotten, true, "forgotten");
  assert.equal(a.pool.get("dev-1"), undefined, "dropped, with the reading learned meanwhile");
  const cp = decodeCheckpoint((await h.models.get(key))!.value);
  assert.ok(typeof cp !== "string" && cp.blob.length === 0 && cp.seq === during, `the forgotten record at sequence ${during} (${typeof cp === "string" ? cp : `${cp.blob.length} bytes at ${cp.seq}`})`);

  // Worker A is killed before it writes the floor again; B replays the partition from the floor
  // written before the forget, so it reads that reading again.
  await ownerA.lost("killed (test)");
  await h.leases.delete("p.0"); // its lease runs out
  const b = part.learner();
  await own("b", b);
  await waitFor("B past the reading", () => (b.pool.get("dev-1")?.meta.seq ?? 0) >= during, 10_000);
  assert.equal(b.pool.get("dev-1")!.hasModel, false, "B does not learn the forgotten reading into a new model");
});
