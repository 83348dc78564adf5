// The reading side of a partition on its own, against one nats-server: readings are handed over
// in stream order from the sequence asked for and acknowledged; a consumer deleted under the
// reader is replaced from the owner's resume point with nothing handed over twice; and stop()
// is final: once stopped, the watchdog creates no consumer again (a clean hand-back stops
// reading before its last checkpoint round, and a consumer opened in that window would read
// readings the next owner reads too).

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { PartitionReader, consumerStart } from "../../host/cluster/partition-reader.js";
import type { ClusterConfig } from "../../host/config/types.js";
import { memoryLogger } from "../../host/logger.js";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { waitFor } from "./harness.js";

const STREAM = "READER_TEST";

test("partition reader: in order from the start sequence, a deleted consumer replaced from the resume point, and nothing read or reopened after stop()", { timeout: 60_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: 1 });
  t.after(() => nats.stop());
  const nc = await connect({ servers: nats.servers });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: ["rt.>"] });
  const js = jsm.jetstream();
  /** Readings from..to (stream sequences from..to: the stream has nothing else). */
  const publish = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) await js.publish("rt.0.dev", String(i));
  };
  await publish(1, 20);

  const { logger, lines } = memoryLogger();
  const config = { maxInflight: 512, replicas: 1, leaseSeconds: 3 } as ClusterConfig;
  const handled: number[] = [];
  let last = 4;
  const reader = new PartitionReader(
    { p: 0, worker: "t", config, nc, jsm, stream: STREAM, filter: "rt.0.>", log: logger },
    {
      handle: (m: JsMsg) => {
        handled.push(m.seq);
        last = m.seq;
      },
      mayAct: () => true,
      expired: () => assert.fail("the lease never expires here"),
      resumeFrom: () => last + 1,
      gapFound: () => assert.fail(`no delivery is lost here:\n${lines.join("\n")}`),
    },
  );
  t.after(() => reader.close());
  assert.equal(await reader.begin(5), undefined, "the consumer is created");
  // A server before 2.9.15 gets a consumer started earlier (consumerStart), whose readings before
  // the start asked for are skipped: the handed-over readings below are the same either way.
  const [first] = await jsm.consumers.list(STREAM).next();
  assert.equal(first.config.opt_start_seq, consumerStart(5, (await jsm.streams.info(STREAM)).state, nc.info?.version));
  await waitFor("readings 5–20", () => handled.length === 16, 10_000);
  assert.deepEqual(handled, Array.from({ length: 16 }, (_, i) => i + 5), "in stream order from the start sequence");
  await waitFor("the acknowledgement", async () => {
    const cs = await jsm.consumers.list(STREAM).next();
    return cs.length === 1 && cs[0].num_ack_pending === 0;
  }, 5_000);

  // The consumer deleted under the reader: a new one from the resume point, nothing twice.
  const [c] = await jsm.consumers.list(STREAM).next();
  await jsm.consumers.delete(STREAM, c.name);
  await publish(21, 30);
  await waitFor("readings 21–30 from a new consumer", () => handled.length === 26, 20_000);
  assert.deepEqual(handled.slice(16), Array.from({ length: 10 }, (_, i) => i + 21), "resumed after the last reading handled, none twice");
  assert.ok(lines.some((l) => /recreating it from stream sequence 21/.test(l)), lines.join("\n"));

  await reader.stop();
  const reopenedBefore = lines.filter((l) => /recreating it/.test(l)).length;
  assert.equal((await jsm.consumers.list(STREAM).next()).length, 0, "stop() deletes the consumer");
  await publish(31, 35);
  // Two of the watchdog's rounds (every 2 s): a reader with no consumer would open one now.
  await new Promise((r) => setTimeout(r, 4_500));
  assert.equal((await jsm.consumers.list(STREAM).next()).length, 0, "no consumer created after stop()");
  assert.equal(lines.filter((l) => /recreating it/.test(l)).length, reopenedBefore, lines.join("\n"));
  assert.equal(handled.length, 26, "nothing handled after stop()");
});

test("partition reader: consumerStart goes back about two message blocks only where nats-server before 2.9.15 would rescan the newest one", () => {
  // 200,000 readings of 116 bytes stored: two 8 MiB blocks are 144,152 readings.
  const state = { first_seq: 1, last_seq: 200_000, messages: 200_000, bytes: 23_277_186 };
  assert.equal(consumerStart(150_000, state, "2.9.10"), 5_848, "inside the last two blocks' worth: back 144,152");
  assert.equal(consumerStart(150_000, state, "v2.9.14"), 5_848);
  assert.equal(consumerStart(100_000, state, "2.9.10"), 1, "never before the stream's first reading");
  assert.equal(consumerStart(50_000, state, "2.9.10"), 50_000, "older than the newest blocks: as asked");
  assert.equal(consumerStart(150_000, state, "2.9.15"), 150_000, "fixed in 2.9.15");
  assert.equal(consumerStart(150_000, state, "2.10.7"), 150_000);
  assert.equal(consumerStart(150_000, state, undefined), 5_848, "an unknown version counts as affected");
  assert.equal(consumerStart(200_001, state, "2.9.10"), 200_001, "nothing to read yet: as asked");
  assert.equal(consumerStart(1, state, "2.9.10"), 1);
  assert.equal(consumerStart(7, { first_seq: 0, last_seq: 0, messages: 0, bytes: 0 }, "2.9.10"), 7, "an empty stream: as asked");
});
