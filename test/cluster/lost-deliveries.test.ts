// Readings the server delivered that never reached the worker (a connection lost with messages
// in flight). Acknowledgement is cumulative, so a worker that went on after such a loss would
// acknowledge the lost readings with the next one and no consumer would deliver them again: the
// device's checkpoint would claim readings its model never learned. A proxy between the worker and
// nats-server drops the first delivery of some readings, in the middle of the stream and at its
// very end; every model must still be the single-process replay.

import { test } from "node:test";
import assert from "node:assert/strict";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { startDropProxy } from "../helpers/nats-drop-proxy.js";
import { tempDir } from "../helpers/tmp.js";
import { spawnWorker, writeWorkerConfig, waitFor, kill, owned, publishAndExpectReplay } from "./harness.js";

const P = 8;

test("deliveries lost on the way to the worker, mid-stream and at its end: read again, every model is the single-process replay", { timeout: 90_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const devices = 12;
  const n = 50;
  const total = devices * n;
  // Stream sequences whose first delivery is lost: 20 in the middle (a gap the next delivery of
  // each partition shows) and the last 3 (nothing comes after them).
  // Each is lost once: a consumer created again delivers it again as a first delivery.
  const chosen = (seq: number) => (seq > 100 && seq <= 120) || seq > total - 3;
  const lost = new Set<number>();
  const proxy = await startDropProxy(nats.nodes[0].port, (d) => {
    if (d.stream !== "EDGELEARN_READINGS" || !chosen(d.streamSeq) || lost.has(d.streamSeq)) return false;
    lost.add(d.streamSeq);
    return true;
  });
  t.after(() => proxy.close());
  const w = spawnWorker(writeWorkerConfig(tempDir("cluster-lost-deliveries"), { servers: [proxy.url], name: "lossy", partitions: P, replicas: 1 }));
  t.after(() => kill(w, "SIGKILL"));
  await waitFor("partitions owned", () => owned(w) === P, 20_000);

  await publishAndExpectReplay(t, nats, w, { devices, n, partitions: P, timeoutMs: 45_000 });
  assert.equal(proxy.dropped.length, 23, "the proxy dropped the chosen deliveries");
  assert.match(w.log(), /deliver(y \d+|ies \d+–\d+) of its consumer never arrived/, "a gap mid-stream was seen as one");
  assert.match(w.log(), /no progress from its consumer/, "the lost end of the stream was read again");
  kill(w, "SIGTERM");
  assert.equal(await w.exited, 0, w.log());
});
