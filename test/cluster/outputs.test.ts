// The single-host outputs contract in cluster mode, seen by real MQTT 3.1.1 clients of
// nats-server's MQTT listener: retained per-device health from the partition owner (a subscriber
// connecting after it was published gets it retained), `edgelearn/status` with the workers' last
// will, and commands on `edgelearn/<device>/cmd` answered once, by the owner, also after the
// partition moved to another worker (a clean hand-back, then a kill -9).

import { test } from "node:test";
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { tempDir } from "../helpers/tmp.js";
import { Publisher, spawnWorker, writeWorkerConfig, waitFor, kill, owned, deviceName } from "./harness.js";
import { partitionOf } from "../../host/cluster/names.js";

const P = 4;

interface Seen {
  topic: string;
  text: string;
  retain: boolean;
}

/** An MQTT 3.1.1 client that records what it receives on `filters`. */
async function listen(url: string, filters: string[]): Promise<{ seen: Seen[]; c: mqtt.MqttClient }> {
  const c = mqtt.connect(url, { protocolVersion: 4, clientId: `sub-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 200 });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  const seen: Seen[] = [];
  c.on("message", (topic, payload, packet) => seen.push({ topic, text: payload.toString(), retain: packet.retain }));
  await c.subscribeAsync(filters, { qos: 1 });
  return { seen, c };
}

test("cluster outputs: retained health from the owner, status with last will, commands answered once by the owner across handovers", { timeout: 120_000 }, async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const dir = tempDir("cluster-outputs");
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const url = nats.nodes[0].mqttUrl;
  const cfg = (name: string) => writeWorkerConfig(dir, { servers: nats.servers, name, partitions: P, replicas: 1, leaseSeconds: 2, mqttUrl: url });
  const w1 = spawnWorker(cfg("w1"), "w1");
  t.after(() => kill(w1, "SIGKILL"));
  await waitFor("w1 to own every partition", () => owned(w1) === P, 30_000);

  // 40 readings per device: past the 30 a published statistic needs (host/privacy/aggregate.ts).
  const devices = 8;
  const n = 40;
  const pub = await Publisher.open(url);
  t.after(() => pub.close());
  await pub.publish(devices, 0, n);

  // A subscriber that connects after the health went out gets it retained, from the owner.
  let late: Awaited<ReturnType<typeof listen>> | undefined;
  const healthOf = (s: Seen[], d: number) => s.filter((m) => m.topic === `edgelearn/${deviceName(d)}/health` && m.text !== "").map((m) => ({ ...m, h: JSON.parse(m.text) }));
  await waitFor(
    "retained health of every device at its last reading",
    async () => {
      late?.c.end(true);
      late = await listen(url, ["edgelearn/+/health", "edgelearn/status"]);
      await new Promise((r) => setTimeout(r, 400));
      return Array.from({ length: devices }, (_, d) => healthOf(late!.seen, d).some((m) => m.retain && m.h.readings === n)).every(Boolean);
    },
    30_000,
  );
  for (let d = 0; d < devices; d++) {
    const h = healthOf(late!.seen, d).at(-1)!.h;
    assert.equal(h.learned, n);
    assert.equal(h.task, "regression");
    assert.deepEqual(h.features, ["x"]);
    assert.deepEqual(h.model, { readings: n, learned: n });
    assert.ok(typeof h.metrics.mae === "number", JSON.stringify(h));
    assert.deepEqual(h.cluster.worker, "w1");
    assert.equal(h.cluster.partition, partitionOf(deviceName(d), P));
  }
  assert.deepEqual(late!.seen.find((m) => m.topic === "edgelearn/status"), { topic: "edgelearn/status", text: "online", retain: true });
  late!.c.end(true);

  // Commands over MQTT: one reply per command, from the owner.
  const replies = await listen(url, ["edgelearn/+/reply", "edgelearn/reply", "edgelearn/status"]);
  t.after(() => replies.c.end(true));
  let id = 0;
  const ask = async (device: string | undefined, body: string | object): Promise<Record<string, unknown>[]> => {
    const tag = ++id;
    const payload = typeof body === "string" ? JSON.stringify({ cmd: body, id: tag }) : JSON.stringify({ ...body, id: tag });
    const topic = device === undefined ? "edgelearn/cmd" : `edgelearn/${device}/cmd`;
    const got = () => replies.seen.filter((m) => /reply$/.test(m.topic)).map((m) => JSON.parse(m.text) as Record<string, unknown>).filter((r) => r.id === tag);
    // A partition without a live owner (changing hands) answers nothing: ask again.
    for (let attempt = 0; attempt < 20 && got().length === 0; attempt++) {
      await replies.c.publishAsync(topic, payload, { qos: 1 });
      await waitFor(`a reply to command ${tag}`, () => got().length > 0, 1500).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 300)); // a second answer would arrive within this
    return got();
  };
  const owner = (r: Record<string, unknown>[]) => {
    assert.equal(r.length, 1, `exactly one answer: ${JSON.stringify(r)}`);
    assert.equal(r[0].ok, true, JSON.stringify(r));
    return r[0].worker;
  };
  const health = await ask(deviceName(0), "health");
  assert.equal(owner(health), "w1");
  assert.equal((health[0].health as { readings: number }).readings, n);
  const snap = await ask(deviceName(1), "snapshot");
  assert.equal(owner(snap), "w1");
  assert.equal(snap[0].stream_seq !== undefined, true);
  const bare = await ask(undefined, "health");
  assert.equal(bare.length, 1);
  assert.match(String(bare[0].error), /names its device/);
  const unknown = await ask("nobody", "health");
  assert.equal(unknown.length, 1);
  assert.match(String(unknown[0].error), /unknown device/);
  const rollback = await ask(deviceName(2), "rollback");
  assert.match(String(rollback[0].error), /not available in cluster mode/);

  // A second worker: w1 hands half the partitions back cleanly, w2 takes them; the owner answers.
  const w2 = spawnWorker(cfg("w2"), "w2");
  t.after(() => kill(w2, "SIGKILL"));
  await waitFor("w2 to own half the partitions", () => owned(w2) === P / 2, 30_000);
  const byWorker = new Map<unknown, number>();
  for (let d = 0; d < devices; d++) {
    const w = owner(await ask(deviceName(d), "health"));
    byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
  }
  assert.ok((byWorker.get("w2") ?? 0) > 0 && (byWorker.get("w1") ?? 0) > 0, `both workers answer for their devices: ${[...byWorker]}`);

  // kill -9 w2: its last will says offline, w1 answers online at once; then w1 owns w2's
  // partitions and answers for their devices (health loaded from the checkpoint w2 wrote).
  replies.seen.length = 0;
  kill(w2, "SIGKILL");
  await w2.exited;
  await waitFor("status offline (w2's will), then online (w1)", () => {
    const s = replies.seen.filter((m) => m.topic === "edgelearn/status").map((m) => m.text);
    const off = s.indexOf("offline");
    return off >= 0 && s.indexOf("online", off) > off;
  }, 10_000);
  for (let d = 0; d < devices; d++) assert.equal(owner(await ask(deviceName(d), "health")), "w1");
  const reset = await ask(deviceName(3), "reset");
  assert.equal(owner(reset), "w1");
  const after = await ask(deviceName(3), "health");
  assert.deepEqual((after[0].health as { model: unknown }).model, { readings: 0, learned: 0 });
  const forget = await ask(deviceName(4), "forget");
  assert.equal(owner(forget), "w1");
  assert.match(String((await ask(deviceName(4), "health"))[0].error), /unknown device/);

  // The last worker stops: status stays offline (retained).
  kill(w1, "SIGTERM");
  assert.equal(await w1.exited, 0, w1.log());
  const last = await listen(url, ["edgelearn/status", `edgelearn/${deviceName(4)}/health`, `edgelearn/${deviceName(5)}/health`]);
  t.after(() => last.c.end(true));
  await waitFor("retained status offline", () => last.seen.some((m) => m.topic === "edgelearn/status"), 5000);
  assert.deepEqual(last.seen.find((m) => m.topic === "edgelearn/status"), { topic: "edgelearn/status", text: "offline", retain: true });
  assert.ok(!last.seen.some((m) => m.topic.includes(deviceName(4))), "a forgotten device's retained health is cleared");
  assert.ok(last.seen.some((m) => m.topic.includes(deviceName(5)) && m.retain), "the others' retained health stays");
});
