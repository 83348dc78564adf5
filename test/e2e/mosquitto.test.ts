// End to end against a real Mosquitto (child process, generated config, free port), with the
// example configuration and real MQTT.js clients.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import type { Service } from "../../host/service/service.js";
import { memoryLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { startMosquitto, mosquittoPath, type Mosquitto } from "../helpers/mosquitto.js";
import { client, waitFor } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

let broker: Mosquitto | undefined;
const require = process.env.EDGELEARN_REQUIRE_ALL === "1";

before(async () => {
  if (!mosquittoPath()) {
    if (require) throw new Error("mosquitto is not installed (EDGELEARN_REQUIRE_ALL=1)");
    return;
  }
  broker = await startMosquitto({ persistence: true });
});
after(async () => {
  for (const s of running) await s.stop(); // what a failed test left running
  await broker?.cleanup();
});

let n = 0;
const running = new Set<Service>();
function service(overrides: Record<string, unknown> = {}, store = new MemoryStore()): { s: Service; lines: string[] } {
  const { logger, lines } = memoryLogger("info");
  const config = loadConfig({
    file: "config/edgelearn.example.yaml",
    env: {},
    overrides: {
      mqtt: { url: broker!.url, clientId: `edgelearn-e2e-${process.pid}-${++n}`, reconnect: { minDelayMs: 50, maxDelayMs: 300 } },
      output: { healthIntervalSeconds: 1 },
      store: { type: "memory" },
      ...overrides,
    },
  });
  const s = startService(config, { logger, store });
  running.add(s);
  return { s, lines };
}

function skip(t: { skip: (m: string) => void }): boolean {
  if (broker) return false;
  t.skip("mosquitto not installed");
  return true;
}

test("readings in, predictions out in publish order; QoS 1 acked only after learning; retained health and status", async (t) => {
  if (skip(t)) return;
  const { s } = service();
  await s.ready;
  const sub = await client(broker!.url);
  await sub.c.subscribeAsync({ "edgelearn/#": { qos: 1 } });
  const pub = await client(broker!.url);
  const N = 300;
  const base = 1_732_612_345_000;
  // The service's k-th PUBACK to the broker must come after its k-th reading was learned.
  let pubacks = 0;
  const ackedAfterLearned: boolean[] = [];
  s.connection!.client.on("packetsend", (p) => {
    if (p.cmd !== "puback") return;
    pubacks++;
    ackedAfterLearned.push((s.pool.get("meter-1")?.meta.readings ?? 0) >= pubacks);
  });
  const pubs: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const v = 200 + (i % 13);
    const c = 1 + (i % 5) / 10;
    pubs.push(pub.c.publishAsync("sensors/meter-1", JSON.stringify({ ts: base + i, voltage: v, current: c, power: v * c }), { qos: 1 }));
  }
  await Promise.all(pubs);
  await waitFor(() => sub.json("edgelearn/meter-1/prediction").length >= N, "predictions");
  const preds = sub.json("edgelearn/meter-1/prediction");
  await waitFor(() => pubacks >= N, "the service's PUBACKs");
  assert.ok(ackedAfterLearned.every(Boolean), "every PUBACK came after its reading was learned");
  assert.deepEqual(preds.map((p) => p.ts), Array.from({ length: N }, (_, i) => base + i), "in publish order");
  for (const p of preds) {
    assert.ok("prediction" in p && Array.isArray(p.flags));
  }
  assert.ok(preds.at(-1).flags.includes("learned"));
  await waitFor(() => sub.json("edgelearn/meter-1/health").some((h) => h.readings === N), "health");
  const h = sub.json("edgelearn/meter-1/health").at(-1);
  assert.equal(h.task, "regression");
  assert.deepEqual(h.features, ["voltage", "current"]);
  assert.equal(h.learned + Object.values(h.rejected as Record<string, number>).reduce((a, b) => a + b, 0) >= N, true);
  assert.ok(h.state_bytes > 0 && typeof h.metrics.mae === "number");
  // a late subscriber gets the retained health and status
  const late = await client(broker!.url);
  await late.c.subscribeAsync({ "edgelearn/+/health": { qos: 1 }, "edgelearn/status": { qos: 1 } });
  await waitFor(() => late.got.some((m) => m.topic === "edgelearn/status") && late.got.some((m) => m.topic === "edgelearn/meter-1/health"), "retained");
  assert.equal(late.got.find((m) => m.topic === "edgelearn/status")!.text, "online");
  assert.ok(late.got.every((m) => m.retain));
  await s.stop();
  await waitFor(() => sub.got.some((m) => m.topic === "edgelearn/status" && m.text === "offline"), "status offline on shutdown");
  await Promise.all([sub.c.endAsync(), pub.c.endAsync(), late.c.endAsync()]);
});

test("bad input through the broker is counted per reason in health; the service keeps running", async (t) => {
  if (skip(t)) return;
  const { s, lines } = service({ input: { maxPayloadBytes: 256 } });
  await s.ready;
  const sub = await client(broker!.url);
  await sub.c.subscribeAsync({ "edgelearn/+/health": { qos: 1 }, "edgelearn/health": { qos: 1 } });
  const pub = await client(broker!.url);
  const send = (topic: string, p: string) => pub.c.publishAsync(topic, p, { qos: 1 });
  for (let i = 0; i < 20; i++) await send("sensors/meter-2", JSON.stringify({ voltage: 230 + i, current: 1, power: 230 + i }));
  await send("sensors/meter-2", "{oops");
  await send("sensors/meter-2", JSON.stringify({ voltage: "230", current: 1 }));
  await send("sensors/meter-2", JSON.stringify({ voltage: null, current: 1, power: 2 }));
  await send("sensors/meter-2", JSON.stringify({ current: 1 }));
  await send("sensors/meter-2", JSON.stringify({ voltage: 1, current: 1, junk: "y".repeat(400) }));
  await send("sensors/meter-2", "[]");
  for (let i = 0; i < 5; i++) await send("sensors/meter-2", JSON.stringify({ voltage: 230, current: 1, power: 230 }));
  await waitFor(() => sub.json("edgelearn/meter-2/health").some((h) => h.readings === 31), "health with every reading");
  const h = sub.json("edgelearn/meter-2/health").at(-1);
  assert.deepEqual(h.rejected, { malformed_json: 1, wrong_type: 1, nonfinite: 1, missing_field: 1, too_large: 1, bad_senml: 1 });
  await waitFor(() => sub.json("edgelearn/health").some((x) => x.readings === 31), "host health");
  assert.ok(!lines.some((l) => l.includes("oops") || l.includes("yyyy")), "no payloads in logs");
  await s.stop();
  await Promise.all([sub.c.endAsync(), pub.c.endAsync()]);
});

test("commands: MQTT 5 response topic with correlation data, and the default reply topic for MQTT 3.1.1", async (t) => {
  if (skip(t)) return;
  // guard off: every checkpoint is known-good, so `rollback` has somewhere to go
  const { s } = service({ guard: { enabled: false } });
  await s.ready;
  const pub = await client(broker!.url);
  for (let i = 0; i < 10; i++) await pub.c.publishAsync("sensors/door-1", JSON.stringify({ temperature: 20 + i, humidity: 40, hour: i, open: i % 2 }), { qos: 1 });
  await pub.c.subscribeAsync({ "app/replies": { qos: 1 } });
  await pub.c.publishAsync("edgelearn/door-1/cmd", JSON.stringify({ cmd: "snapshot" }), {
    qos: 1,
    properties: { responseTopic: "app/replies", correlationData: Buffer.from("req-1") },
  });
  await waitFor(() => pub.got.some((m) => m.topic === "app/replies"), "MQTT 5 reply");
  const r = pub.got.find((m) => m.topic === "app/replies")!;
  assert.deepEqual(r.packet.properties?.correlationData, Buffer.from("req-1"));
  const body = JSON.parse(r.text);
  assert.equal(body.ok, true);
  assert.equal(body.cmd, "snapshot");
  assert.equal(body.device, "door-1");
  assert.equal(typeof body.seq, "number");

  const v4 = await client(broker!.url, { protocolVersion: 4 });
  await v4.c.subscribeAsync({ "edgelearn/door-1/reply": { qos: 1 }, "edgelearn/reply": { qos: 1 } });
  await v4.c.publishAsync("edgelearn/door-1/cmd", "rollback", { qos: 1 });
  await v4.c.publishAsync("edgelearn/cmd", JSON.stringify({ cmd: "health", id: 42 }), { qos: 1 });
  await v4.c.publishAsync("edgelearn/door-1/cmd", "reset", { qos: 1 });
  await waitFor(() => v4.json("edgelearn/door-1/reply").length >= 2 && v4.json("edgelearn/reply").length >= 1, "3.1.1 replies");
  const [rb, rs] = v4.json("edgelearn/door-1/reply");
  assert.equal(rb.ok, true);
  assert.equal(rb.cmd, "rollback");
  assert.equal(rs.cmd, "reset");
  const hh = v4.json("edgelearn/reply")[0];
  assert.equal(hh.id, 42);
  assert.equal(hh.health.devices, 1);
  await s.stop();
  await Promise.all([pub.c.endAsync(), v4.c.endAsync()]);
});

test("persistent session: QoS 1 readings published while the host is away are learned when it returns", async (t) => {
  if (skip(t)) return;
  const store = new MemoryStore();
  const clientId = `edgelearn-e2e-persist-${process.pid}`;
  const first = service({ mqtt: { url: broker!.url, clientId } }, store);
  await first.s.ready;
  await first.s.stop();
  const pub = await client(broker!.url);
  for (let i = 0; i < 50; i++) await pub.c.publishAsync("sensors/meter-9", JSON.stringify({ voltage: 220 + i, current: 1, power: 220 + i }), { qos: 1 });
  const second = service({ mqtt: { url: broker!.url, clientId } }, store);
  await second.s.ready;
  await waitFor(() => (second.s.pool.get("meter-9")?.meta.readings ?? 0) === 50, "50 queued readings", 5000);
  await second.s.stop();
  await pub.c.endAsync();
});

test("the Last Will says offline when the connection dies; reconnect with backoff; a broker restart is survived", async (t) => {
  if (skip(t)) return;
  const { s } = service();
  await s.ready;
  const sub = await client(broker!.url);
  await sub.c.subscribeAsync({ "edgelearn/status": { qos: 1 } });
  await waitFor(() => sub.got.some((m) => m.text === "online"), "online");
  sub.got.length = 0;
  let connects = 0;
  s.events.on("connected", () => connects++);
  s.connection!.client.stream.destroy(); // the socket dies without DISCONNECT: the broker sends the will
  await waitFor(() => sub.got.some((m) => m.text === "offline"), "will: offline");
  await waitFor(() => connects === 1 && sub.got.some((m) => m.text === "online"), "back online");
  // broker restart (persistence on): the service reconnects and learns what is published after
  await sub.c.endAsync();
  await broker!.stop();
  await new Promise((r) => setTimeout(r, 200));
  await broker!.start();
  await waitFor(() => connects === 2, "reconnected after the broker restart", 8000);
  const pub = await client(broker!.url);
  for (let i = 0; i < 5; i++) await pub.c.publishAsync("sensors/meter-3", JSON.stringify({ voltage: 1 + i, current: 1, power: 1 + i }), { qos: 1 });
  await waitFor(() => s.pool.get("meter-3")?.meta.readings === 5, "readings after restart");
  await s.stop();
  await pub.c.endAsync();
});

test("MQTT 3.1.1 service", async (t) => {
  if (skip(t)) return;
  const { s } = service({ mqtt: { url: broker!.url, clientId: `edgelearn-v4-${process.pid}`, protocolVersion: 4 } });
  await s.ready;
  const c = await client(broker!.url, { protocolVersion: 4 });
  await c.c.subscribeAsync({ "edgelearn/hvac-1/prediction": { qos: 0 } });
  for (let i = 0; i < 20; i++) await c.c.publishAsync("sensors/hvac-1", JSON.stringify({ supply: 18 + (i % 3), return: 22, fan: i % 2 }), { qos: 1 });
  await waitFor(() => c.got.length >= 20, "cluster predictions");
  assert.equal(s.pool.get("hvac-1")!.meta.learned, 20);
  await s.stop();
  await c.c.endAsync();
});

test("quick start: `edgelearn run --broker URL --task T --target F` learns, and SIGINT stops it cleanly (exit 0)", async (t) => {
  if (skip(t)) return;
  const dir = tempDir("quick");
  const child = spawn(process.execPath, [join(process.cwd(), "bin/edgelearn.js"), "run", "--broker", broker!.url, "--task", "regression", "--target", "power"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
    // no HTTP server: the default port may be held by another process on the machine
    env: { ...process.env, EDGELEARN_MQTT__CLIENT_ID: `edgelearn-quick-${process.pid}`, EDGELEARN_HTTP__ENABLED: "false" },
  });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  t.after(() => child.kill("SIGKILL"));
  const c = await client(broker!.url);
  await c.c.subscribeAsync({ "edgelearn/quick-1/prediction": { qos: 1 } });
  await waitFor(() => stderr.includes("subscribed to sensors/+"), "the service subscribed", 10000);
  for (let i = 0; i < 10; i++) await c.c.publishAsync("sensors/quick-1", JSON.stringify({ voltage: 230 + i, current: 1, power: 230 + i }), { qos: 1 });
  await waitFor(() => c.got.length === 10, "predictions");
  child.kill("SIGINT");
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /features current, voltage|on 2 features \(current, voltage\)/);
  assert.ok(existsSync(join(dir, "edgelearn.db")), "the default SQLite store in the working directory");
  await c.c.endAsync();
});
