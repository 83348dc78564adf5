import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { Service, type ServiceOptions } from "../../host/service/service.js";
import { MemoryStore } from "../../host/store/memory.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { join } from "node:path";
import { tempDir } from "../helpers/tmp.js";
import type { Failure, Result } from "../../host/service/result.js";
import { memoryLogger } from "../../host/logger.js";
import { conceptChange } from "../helpers/concept-change.js";
import type { IClientPublishOptions } from "mqtt";

interface Sent {
  topic: string;
  payload: string;
  opts: IClientPublishOptions;
}

function setup(overrides: Record<string, unknown> = {}, opts: ServiceOptions = {}) {
  const sent: Sent[] = [];
  const publisher = {
    connected: true,
    publish: (topic: string, payload: string | Buffer, o: IClientPublishOptions) => void sent.push({ topic, payload: String(payload), opts: o }),
  };
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a", "b"] },
      store: { type: "memory" },
      pool: { maxDevices: 5, hotInstances: 2 },
      ...overrides,
    },
  });
  const { logger, lines } = memoryLogger("debug");
  const service = new Service(config, { connect: false, publisher, logger, store: new MemoryStore(), ...opts });
  service.start();
  const send = (device: string, body: unknown) =>
    service.handle(`sensors/${device}`, Buffer.from(typeof body === "string" ? body : JSON.stringify(body)));
  const on = (suffix: string) => sent.filter((m) => m.topic.endsWith(suffix)).map((m) => JSON.parse(m.payload));
  return { service, sent, send, on, publisher, lines };
}

test("learns per device and publishes a prediction per reading, in order", async () => {
  const { service, send, sent } = setup();
  for (let i = 0; i < 200; i++) send("m1", { ts: 1732612345000 + i, a: i % 7, b: i % 3, y: 2 * (i % 7) - (i % 3) });
  const preds = sent.filter((m) => m.topic === "edgelearn/m1/prediction").map((m) => JSON.parse(m.payload));
  assert.equal(preds.length, 200);
  assert.deepEqual(preds.map((p) => p.ts), Array.from({ length: 200 }, (_, i) => 1732612345000 + i));
  const last = preds[199];
  assert.ok(last.flags.includes("learned") && last.flags.includes("predicted"));
  assert.ok(Math.abs(last.error) < 1, `error ${last.error}`);
  assert.equal(sent.find((m) => m.topic.endsWith("prediction"))!.opts.qos, 0);
  await service.stop();
});

test("bad input is counted per reason, never changes the model, never crashes", async () => {
  const { service, send, on, lines } = setup({ input: { maxPayloadBytes: 100 } });
  for (let i = 0; i < 50; i++) send("m1", { a: i % 5, b: 1, y: i % 5 });
  const before = service.snapshotDevice("m1");
  assert.equal(before.ok, true);
  const bad = [
    "{not json",
    "",
    "[1, 2]",
    "42",
    '{"a": "12.5", "b": 1, "y": 1}',
    '{"a": "NaN", "b": 1, "y": 1}',
    '{"b": 1, "y": 1}',
    '{"a": [1], "b": 1}',
    '{"a": 1, "b": 1, "ts": "last tuesday"}',
    JSON.stringify({ a: 1, b: 1, pad: "x".repeat(200) }),
  ];
  for (const b of bad) send("m1", b);
  // refused by the host: the module never saw them, its state is byte-identical
  assert.deepEqual(service.snapshotDevice("m1"), before, "the model did not change");
  send("m1", { a: null, b: 1, y: 1 }); // null → NaN → the module's guard: nonfinite (only its counters move)
  service.publishHealth(true);
  const h = on("m1/health").at(-1);
  assert.deepEqual(h.rejected, {
    malformed_json: 2,
    bad_senml: 1,
    not_object: 1,
    wrong_type: 3,
    missing_field: 1,
    bad_timestamp: 1,
    too_large: 1,
    nonfinite: 1,
  });
  assert.equal(h.readings, 61);
  assert.equal(h.learned, 50);
  // logged, rate limited (one line per device and reason), with reasons and never values
  const warn = lines.filter((l) => l.startsWith("warn"));
  assert.ok(warn.length <= 10, warn.join("\n"));
  assert.ok(!lines.some((l) => l.includes("12.5") || l.includes("tuesday")), lines.join("\n"));
  await service.stop();
});

test("unknown topics, the device cap and retained readings are refused and counted", async () => {
  const { service, send, on } = setup({ pool: { maxDevices: 2, hotInstances: 1, acceptUnknown: true } });
  send("d1", { a: 1, b: 2, y: 3 });
  send("d2", { a: 1, b: 2, y: 3 });
  send("d3", { a: 1, b: 2, y: 3 });
  send("d3", { a: 1, b: 2, y: 3 });
  service.handle("sensors/a/b", Buffer.from("{}"));
  service.handle("sensors/", Buffer.from("{}"));
  service.handle("elsewhere/x", Buffer.from("{}"));
  service.handle("sensors/d1", Buffer.from('{"a":1,"b":2,"y":3}'), true);
  assert.equal(service.pool.size, 2);
  service.publishHealth(true);
  const h = on("edgelearn/health").at(-1);
  assert.deepEqual(h.refused, { unknown_topic: 3, device_cap: 2, retained: 1, bad_command: 0, bad_payload: 0 });
  assert.equal(h.devices, 2);
  await service.stop();
});

test("a payload that does not parse creates no device: junk on new topics cannot use up pool.maxDevices", async () => {
  const { service, send, on } = setup({ pool: { maxDevices: 5, hotInstances: 2, acceptUnknown: true } });
  send("real-0", { a: 1, b: 2, y: 3 });
  const junk = ["{not json", "", "42", "[1, 2]", JSON.stringify({ pad: "x".repeat(9000) }), JSON.stringify([{ bt: 1e306, n: "a", v: 1 }])];
  for (let i = 0; i < 5; i++) for (const j of junk) send(`junk-${i}`, j);
  for (let i = 1; i <= 4; i++) send(`real-${i}`, { a: i, b: 2, y: 3 });
  assert.deepEqual([...service.pool.names()].sort(), ["real-0", "real-1", "real-2", "real-3", "real-4"]);
  send("real-0", "{not json"); // an existing device's bad payload still counts on its own health
  send("junk-9", "{not json"); // the pool is full now: device_cap, as for any new device
  service.publishHealth(true);
  const h = on("edgelearn/health").at(-1);
  assert.deepEqual(h.refused, { unknown_topic: 0, device_cap: 1, retained: 0, bad_command: 0, bad_payload: 30 });
  assert.equal(h.devices, 5);
  assert.deepEqual(on("real-0/health").at(-1).rejected, { malformed_json: 1 });
  await service.stop();
});

test("acceptUnknown: false refuses devices no rule matches", async () => {
  const { service, send } = setup({ pool: { acceptUnknown: false }, devices: [{ match: "meter-*" }] });
  send("meter-1", { a: 1, b: 2, y: 3 });
  send("other", { a: 1, b: 2, y: 3 });
  assert.ok(service.pool.get("meter-1"));
  assert.equal(service.pool.get("other"), undefined);
  assert.equal(service.counters.refused.unknown_topic, 1);
  await service.stop();
});

test("features are inferred from the first reading; SenML packs give one reading per time", async () => {
  const { service, send, on } = setup({ model: { task: "regression", target: "power", features: [] } });
  send("s1", { ts: 1.7e12, temperature: 20, humidity: 40, power: 3, label: "kitchen" });
  const pack = [
    { bn: "s1/", bt: 1.7e9, n: "temperature", v: 21 },
    { n: "humidity", v: 41 },
    { n: "power", v: 3.5 },
    { n: "temperature", v: 22, t: 1 },
    { n: "humidity", v: 42, t: 1 },
    { n: "power", v: 3.7, t: 1 },
  ];
  send("s1", pack);
  const preds = on("s1/prediction");
  assert.equal(preds.length, 3);
  assert.deepEqual(preds.slice(1).map((p) => p.ts), [1.7e12, 1.7e12 + 1000]);
  service.publishHealth(true);
  const h = on("s1/health").at(-1);
  assert.deepEqual(h.features, ["humidity", "temperature"]);
  assert.equal(h.target, "power");
  assert.equal(h.learned, 3);
  await service.stop();
});

test("commands: snapshot, rollback, reset, health; replies on the response topic or the default", async () => {
  const { service, send, on, sent } = setup();
  for (let i = 0; i < 20; i++) send("m1", { a: i, b: 1, y: i });
  const cmd = (topic: string, body: string, properties?: Record<string, unknown>) =>
    service.handle(topic, Buffer.from(body), false, properties as never);
  cmd("edgelearn/m1/cmd", "snapshot");
  let r = on("m1/reply").at(-1);
  assert.equal(r.ok, true);
  assert.equal(r.cmd, "snapshot");
  assert.equal(r.seq, 1);
  const atSnapshot = service.snapshotDevice("m1");
  assert.equal(atSnapshot.ok, true);
  for (let i = 0; i < 20; i++) send("m1", { a: i, b: 2, y: 2 * i });
  cmd("edgelearn/m1/cmd", '{"cmd":"rollback","id":7}');
  r = on("m1/reply").at(-1);
  assert.equal(r.ok, true);
  assert.equal(r.id, 7);
  assert.deepEqual(service.snapshotDevice("m1"), atSnapshot);
  // MQTT 5 request/response
  const corr = Buffer.from("abc");
  cmd("edgelearn/cmd", JSON.stringify({ cmd: "health", device: "m1" }), { responseTopic: "app/replies/1", correlationData: corr });
  const rr = sent.at(-1)!;
  assert.equal(rr.topic, "app/replies/1");
  assert.deepEqual(rr.opts.properties?.correlationData, corr);
  assert.equal(JSON.parse(rr.payload).health.readings, 40);
  cmd("edgelearn/m1/cmd", "reset");
  assert.equal(on("m1/reply").at(-1).ok, true);
  // errors
  cmd("edgelearn/m1/cmd", "explode");
  assert.match(on("m1/reply").at(-1).error, /unknown command/);
  cmd("edgelearn/cmd", '{"cmd":"reset"}');
  assert.match(on("edgelearn/reply").at(-1).error, /needs a device/);
  cmd("edgelearn/cmd", '{"cmd":"snapshot","device":"nope"}');
  assert.match(on("edgelearn/reply").at(-1).error, /unknown device/);
  cmd("edgelearn/cmd", "{{{");
  assert.equal(on("edgelearn/reply").at(-1).ok, false);
  cmd("edgelearn/cmd", "snapshot");
  assert.equal(on("edgelearn/reply").at(-1).checkpoints, 1);
  assert.equal(service.counters.refused.bad_command, 4);
  await service.stop();
});

test("while offline: predictions bounded (oldest dropped, counted), health and status kept", async () => {
  const { service, send, sent, publisher } = setup({ output: { offlineQueue: 5 } });
  publisher.connected = false;
  for (let i = 0; i < 20; i++) send("m1", { ts: 1.7e12 + i, a: i, b: 1, y: i });
  service.publishHealth(true);
  service.publishHealth(true);
  assert.equal(sent.length, 0);
  assert.equal(service.outbox.droppedPredictions, 15);
  publisher.connected = true;
  service.outbox.flush();
  const preds = sent.filter((m) => m.topic.endsWith("prediction")).map((m) => JSON.parse(m.payload).ts);
  assert.deepEqual(preds, [15, 16, 17, 18, 19].map((i) => 1.7e12 + i));
  const health = sent.filter((m) => m.topic === "edgelearn/m1/health");
  assert.equal(health.length, 1);
  assert.equal(health[0].opts.retain, true);
  await service.stop();
});

test("restart: devices come back from the store and keep learning", async () => {
  const store = new MemoryStore();
  const a = setup({}, { store });
  for (let i = 0; i < 30; i++) a.send("m1", { a: i, b: 1, y: i });
  const blob = a.service.snapshotDevice("m1");
  assert.equal(blob.ok, true);
  // MemoryStore.close is a no-op for data: reuse it as the "file"
  await a.service.stop();
  const b = setup({}, { store });
  assert.deepEqual(b.service.snapshotDevice("m1"), blob);
  b.send("m1", { a: 1, b: 1, y: 1 });
  b.service.publishHealth(true);
  const h = b.on("m1/health").at(-1);
  assert.equal(h.model.readings, 31);
  assert.equal(h.last_checkpoint.readings, 30);
  await b.service.stop();
});

test("a checkpoint records the model's readings, also for a device at rest: not the host's count since start", async () => {
  const store = new MemoryStore();
  const oneHot = { pool: { maxDevices: 5, hotInstances: 1 } };
  const a = setup(oneHot, { store });
  for (let i = 0; i < 30; i++) a.send("m1", { a: i, b: 1, y: i });
  await a.service.stop();
  const b = setup(oneHot, { store });
  for (let i = 0; i < 5; i++) b.send("m1", { a: i, b: 1, y: i });
  b.send("m1", "not json"); // refused by the host: counted in its health, never seen by the model
  b.send("m2", { a: 1, b: 1, y: 1 }); // m2 takes the one instance: m1 is at rest
  const cold = b.service.checkpointDevice("m1");
  assert.ok(cold.ok);
  assert.equal(cold.value.readings, 35, "30 before the restart and 5 since");
  b.send("m1", { a: 1, b: 1, y: 1 }); // hot again: the same count, read from the live instance
  const hot = b.service.checkpointDevice("m1");
  assert.ok(hot.ok);
  assert.equal(hot.value.readings, 36);
  await b.service.stop();
});

test("restart: a reset and a rollback stay done, after a clean stop and after a kill", async () => {
  for (const stop of [true, false]) {
    const path = join(tempDir("reset-restart"), "state.db");
    const stores: SqliteStore[] = [];
    const start = () => {
      stores.push(new SqliteStore({ path }));
      return setup({ store: { type: "sqlite", path, checkpoint: { everyReadings: 10, everySeconds: 0 } } }, { store: stores.at(-1) });
    };
    const modelReadings = (s: Service, name: string) => (s.deviceHealth(name) as unknown as { value: { model: { readings: number } } }).value.model.readings;
    const a = start();
    for (let i = 0; i < 25; i++) for (const d of ["m1", "m2"]) a.send(d, { a: i, b: 1, y: i });
    assert.ok(a.service.resetDevice("m1").ok);
    const rb = a.service.rollbackDevice("m2", 1); // checkpoint 1: the state after 10 readings
    assert.ok(rb.ok && rb.value.readings === 10);
    const reset = a.service.snapshotDevice("m1");
    const rolledBack = a.service.snapshotDevice("m2");
    assert.equal(modelReadings(a.service, "m1"), 0);
    assert.equal(modelReadings(a.service, "m2"), 10);
    if (stop) await a.service.stop();
    else stores[0].close(); // killed, nothing more written; the process's end closes its file
    const b = start();
    assert.deepEqual(b.service.snapshotDevice("m1"), reset, `reset state restored (${stop ? "clean stop" : "kill"})`);
    assert.deepEqual(b.service.snapshotDevice("m2"), rolledBack, `rolled-back state restored (${stop ? "clean stop" : "kill"})`);
    assert.equal(modelReadings(b.service, "m1"), 0);
    assert.equal(modelReadings(b.service, "m2"), 10);
    await b.service.stop();
    if (!stop) await a.service.stop();
  }
});

test("restart: inferred features come back by name; a reading without them is refused, never fed into another field's weights", async () => {
  const path = join(tempDir("features-restart"), "state.db");
  const overrides = { model: { task: "regression", target: "power", features: [] }, store: { type: "sqlite", path } };
  const a = setup(overrides, { store: new SqliteStore({ path }) });
  for (let i = 0; i < 30; i++) a.send("s1", { ts: 1.75e12 + i, temperature: 20 + (i % 5), humidity: 40 + (i % 3), power: i % 7 });
  await a.service.stop();
  const b = setup(overrides, { store: new SqliteStore({ path }) });
  const restored = b.service.snapshotDevice("s1");
  assert.ok(restored.ok);
  b.send("s1", { ts: 1.75e12 + 30, battery: 97, temperature: 21, power: 3 });
  assert.deepEqual(b.service.snapshotDevice("s1"), restored, "the model did not learn battery as humidity");
  b.send("s1", { ts: 1.75e12 + 31, humidity: 41, temperature: 21, power: 3, battery: 97 });
  b.service.publishHealth(true);
  const h = b.on("s1/health").at(-1);
  assert.deepEqual(h.features, ["humidity", "temperature"]);
  assert.deepEqual(h.rejected, { missing_field: 1 });
  assert.equal(h.model.readings, 31, "restored model continues");
  await b.service.stop();
});

test("restart: configured features in another order do not load the checkpoint (warning, fresh start)", async () => {
  const path = join(tempDir("features-order"), "state.db");
  const a = setup({ store: { type: "sqlite", path } }, { store: new SqliteStore({ path }) });
  for (let i = 0; i < 30; i++) a.send("m1", { a: i % 5, b: 1, y: i % 5 });
  await a.service.stop();
  const b = setup({ model: { task: "regression", target: "y", features: ["b", "a"] }, store: { type: "sqlite", path } }, { store: new SqliteStore({ path }) });
  assert.ok(b.lines.some((l) => /device m1: the checkpoint was learned on features a, b, the device's are b, a; not loaded/.test(l)), b.lines.join("\n"));
  b.send("m1", { a: 1, b: 1, y: 1 });
  b.service.publishHealth(true);
  assert.equal(b.on("m1/health").at(-1).model.readings, 1);
  await b.service.stop();
});

test("an extreme timestamp is refused: no prediction with an invalid ts, and later redeliveries are not taken for duplicates", async () => {
  const { service, send, sent, on } = setup({ model: { task: "regression", target: "y", features: ["a"] } });
  const TS = 1_750_000_000_000;
  for (let i = 1; i <= 5; i++) send("m1", { ts: TS + i, a: i, y: i });
  send("m1", [{ bt: 1e306, n: "a", v: 6 }, { n: "y", v: 6 }]);
  send("m1", { ts: 1e300, a: 7, y: 7 });
  for (const m of sent.filter((x) => x.topic === "edgelearn/m1/prediction")) assert.doesNotThrow(() => JSON.parse(m.payload), m.payload);
  assert.equal(on("m1/prediction").length, 5);
  const redeliver = (body: object) =>
    (service as unknown as { onPacket(p: object, done: () => void): void }).onPacket(
      { cmd: "publish", topic: "sensors/m1", payload: Buffer.from(JSON.stringify(body)), qos: 1, dup: true, retain: false },
      () => {},
    );
  redeliver({ ts: TS + 6, a: 6, y: 6 });
  service.publishHealth(true);
  const h = on("m1/health").at(-1);
  assert.deepEqual(h.rejected, { bad_timestamp: 2 });
  assert.equal(h.learned, 6, "the redelivered reading after them was learned, not refused as a duplicate");
  await service.stop();
});

test("a configuration the module refuses fails before connecting", () => {
  assert.throws(() => setup({ model: { task: "regression", target: "y", features: ["a"], params: { learning_rate: -5 } } }), /ERR_PARAM/);
  assert.throws(() => setup({ model: { task: "regression", target: "y", features: ["a"], params: { warp_speed: 1 } } }), /params\.warp_speed: unknown parameter/);
});

test("a concept change publishes a drift event and counts it in health", async () => {
  const { service, send, on } = setup({ model: { task: "regression", target: "y", features: ["a", "b"] } });
  let i = 0;
  for (const row of conceptChange(6000, 3000, 7, 0.02)) send("m1", { ts: 1.7e12 + i++, ...row });
  const drifts = on("m1/drift");
  assert.ok(drifts.length >= 1, "at least one drift");
  assert.ok(drifts.some((d) => d.reading > 3000 && d.reading < 3500), JSON.stringify(drifts.map((d) => d.reading)));
  assert.equal(typeof drifts[0].metrics, "object");
  service.publishHealth(true);
  assert.equal(on("m1/health").at(-1).drifts, drifts.length);
  await service.stop();
});

test("backpressure: while the output socket is over maxBufferedBytes, the reading is not acknowledged", async () => {
  const config = loadConfig({
    env: {},
    overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "none" }, output: { maxBufferedBytes: 2048 } },
  });
  const { logger } = memoryLogger("error");
  const service = new Service(config, { logger }); // a connection object, never started
  const conn = service.connection!;
  let buffered = 0;
  let drain: (() => void) | undefined;
  conn.bufferedBytes = () => buffered;
  conn.whenWritable = (limit, cb) => {
    assert.equal(limit, 2048);
    drain = cb;
  };
  const packet = (i: number) => ({ cmd: "publish", topic: "sensors/m1", payload: Buffer.from(JSON.stringify({ a: i, y: i })), qos: 1, retain: false, dup: false }) as never;
  const onPacket = (service as unknown as { onPacket: (p: never, done: () => void) => void }).onPacket.bind(service);
  let acks = 0;
  onPacket(packet(1), () => acks++);
  assert.equal(acks, 1, "acknowledged at once while the socket drains");
  buffered = 1 << 20;
  onPacket(packet(2), () => acks++);
  assert.equal(acks, 1, "held while the socket is full");
  assert.equal(service.pool.get("m1")!.meta.readings, 2, "but learned");
  drain!();
  assert.equal(acks, 2, "acknowledged once drained");
  await service.stop();
});

test("public operations answer with one Result shape: { ok, value } or { ok: false, reason, error }", async () => {
  const { service, send } = setup({ devices: [{ match: "m0", features: [] }] });
  const failed = (r: Result<unknown>, reason: Failure) => {
    assert.ok(!r.ok, `expected a failure (${reason})`);
    assert.equal(r.reason, reason);
    assert.equal(typeof r.error, "string");
  };
  for (const r of [service.snapshotDevice("nope"), service.deviceHealth("nope"), service.resetDevice("nope"), service.forgetDevice("nope"), service.checkpointDevice("nope"), service.rollbackDevice("nope")]) {
    failed(r, "unknown_device");
  }
  send("m0", { note: "no number" }); // the device exists, its model does not (features never seen)
  failed(service.snapshotDevice("m0"), "no_model");
  failed(service.checkpointDevice("m0"), "no_model");
  failed(service.rollbackDevice("m0"), "no_checkpoint");
  for (let i = 0; i < 10; i++) send("m1", { a: i, b: 1, y: i });
  const snap = service.snapshotDevice("m1");
  assert.ok(snap.ok && snap.value instanceof Uint8Array);
  const cp = service.checkpointDevice("m1");
  assert.ok(cp.ok && cp.value.device === "m1");
  assert.deepEqual(service.checkpointMany(["m1", "m0"]), { ok: true, value: 1 });
  const rb = service.rollbackDevice("m1", cp.value.seq);
  assert.ok(rb.ok && rb.value.seq === cp.value.seq);
  failed(service.rollbackDevice("m1", 999), "no_checkpoint");
  failed(service.loadDevice("m1", new Uint8Array(8)), "refused");
  assert.deepEqual(service.loadDevice("m2", snap.value), { ok: true, value: undefined });
  assert.deepEqual(service.resetDevice("m1"), { ok: true, value: { purged: false } });
  assert.ok(service.deviceHealth("m1").ok);
  assert.deepEqual(service.forgetDevice("m1"), { ok: true, value: undefined });
  await service.stop();

  const bare = setup({ store: { type: "none" } }, { store: undefined });
  bare.send("m1", { a: 1, b: 1, y: 1 });
  failed(bare.service.checkpointDevice("m1"), "no_store");
  failed(bare.service.checkpointMany(["m1"]), "no_store");
  failed(bare.service.rollbackDevice("m1"), "no_store");
  await bare.service.stop();
});
