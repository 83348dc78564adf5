// SIGTERM while QoS 1 readings are still arriving: the real `edgelearn run` must exit 0 within a
// few seconds (not when the broker drops it on keepalive), with every reading it learned in its
// checkpoints and every reading it did not learn left with the broker for the next start.
// Counted exactly: after a restart drains the queue, the models' reading counts sum to the number
// of readings published (none lost, none learned twice). Also: a stop while the broker has
// stopped answering (SIGSTOP) and while it is gone (SIGKILL).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { startMosquitto, requireMosquitto, type Mosquitto } from "../helpers/mosquitto.js";
import { waitFor } from "../helpers/mqtt.js";
import { TS0, spawnHost, whatWouldRestore, writeHostConfig, type HostProcess } from "./host-process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DEVICES = Array.from({ length: 8 }, (_, i) => `load${i}`);

/** QoS 1 readings round robin over DEVICES, at most `window` unacknowledged, until `stop()`. */
function publisher(url: string) {
  const pub = mqtt.connect(url, { clientId: `stop-pub-${process.pid}-${Math.random().toString(36).slice(2)}`, clean: true, reconnectPeriod: 200 });
  let sent = 0;
  let acked = 0;
  let running = true;
  let abandoned = false;
  const done = (async () => {
    await new Promise<void>((r) => pub.once("connect", () => r()));
    const window = 100;
    while (running) {
      if (sent - acked >= window || !pub.connected) {
        await sleep(2);
        continue;
      }
      const i = sent++;
      const a = Math.sin(i * 0.01);
      const b = Math.cos(i * 0.013);
      pub.publish(`sensors/${DEVICES[i % DEVICES.length]}`, JSON.stringify({ ts: TS0 + i, a, b, y: 2 * a - b }), { qos: 1 }, (err) => {
        if (!err) acked++;
      });
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    if (abandoned) return;
    // every reading handed to MQTT.js is acknowledged by the broker before we count it as published
    await waitFor(() => acked === sent, "the broker's PUBACKs for every reading", 30_000);
    await pub.endAsync();
  })();
  return {
    get sent() {
      return sent;
    },
    stop: async () => {
      running = false;
      await done;
      return sent;
    },
    /** Gives up at once (the broker is gone). */
    abandon: () => {
      running = false;
      abandoned = true;
      pub.end(true);
    },
  };
}

async function started(h: HostProcess): Promise<void> {
  await waitFor(() => /subscribed to/.test(h.log()) || h.child.exitCode !== null, "the host to subscribe", 15_000);
  assert.equal(h.child.exitCode, null, h.log());
}

/** SIGTERM; resolves with the exit code and how long it took. */
async function term(h: HostProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  h.child.kill("SIGTERM");
  const kill = setTimeout(() => h.child.kill("SIGKILL"), 60_000);
  const code = await h.exited;
  clearTimeout(kill);
  return { code, ms: Date.now() - t0 };
}

function setup(broker: Mosquitto, name: string) {
  const dir = mkdtempSync(join(tmpdir(), `edgelearn-${name}-`));
  const dbPath = join(dir, "state.db");
  // keepalive 60 s: a stop that waits for the broker to drop the connection would take ≥ 60 s
  const configPath = writeHostConfig(dir, { url: broker.url, clientId: `edgelearn-${name}-${process.pid}`, dbPath, everyReadings: 100_000, keepalive: 60 });
  const readings = () => {
    const r = whatWouldRestore(dbPath, DEVICES, join(dir, "copy.db"));
    return DEVICES.reduce((s, d) => s + (r.devices[d].readings ?? 0), 0);
  };
  return { configPath, readings };
}

test("SIGTERM under QoS 1 load exits 0 in seconds; after a restart every reading was learned exactly once", async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto({ persistence: true });
  t.after(() => broker.cleanup());
  const { configPath, readings } = setup(broker, "stopload");

  const h1 = spawnHost(configPath);
  t.after(() => h1.child.kill("SIGKILL"));
  await started(h1);
  const pub = publisher(broker.url);
  await waitFor(() => pub.sent >= 3000, "readings flowing", 30_000);
  const stop = await term(h1);
  assert.equal(stop.code, 0, h1.log());
  assert.ok(stop.ms < 20_000, `exited ${stop.ms} ms after SIGTERM`);
  assert.match(h1.log(), /device checkpoints flushed/);
  // graceful: the shutdown messages were acknowledged, the socket was not cut
  assert.doesNotMatch(h1.log(), /did not acknowledge the last outputs/);
  await sleep(300);
  const published = await pub.stop();
  const afterStop = readings();
  assert.ok(afterStop > 0 && afterStop <= published, `${afterStop} of ${published}`);

  // The next start learns what the first left unacknowledged, and nothing twice. Its predictions
  // (QoS 1, one per reading learned) say when the queue is drained.
  const sub = await mqtt.connectAsync(broker.url, { clientId: `stop-sub-${process.pid}`, clean: true });
  let predictions = 0;
  let lastAt = Date.now();
  sub.on("message", () => {
    predictions++;
    lastAt = Date.now();
  });
  await sub.subscribeAsync("edgelearn/+/prediction", { qos: 1 });
  const h2 = spawnHost(configPath);
  t.after(() => h2.child.kill("SIGKILL"));
  await started(h2);
  lastAt = Date.now();
  for (const until = Date.now() + 120_000; afterStop + predictions < published && Date.now() - lastAt < 8000 && Date.now() < until; ) await sleep(100);
  const stop2 = await term(h2);
  assert.equal(stop2.code, 0, h2.log());
  await sub.endAsync();
  t.diagnostic(h1.log().trim().split("\n").slice(-3).join(" | ")); // the host's own account: stopping → flushed → stopped
  t.diagnostic(`SIGTERM under load: exit after ${stop.ms} ms; ${afterStop} of ${published} readings learned before the stop, the rest after the restart`);
  assert.equal(readings(), published, "every published reading learned exactly once");
});

test("SIGTERM while the broker does not answer (SIGSTOP) or is gone (SIGKILL): exit 0 in seconds, checkpoints flushed", async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto({ persistence: true });
  t.after(() => broker.cleanup());
  const { configPath, readings } = setup(broker, "stopdown");

  for (const how of ["freeze", "kill"] as const) {
    if (how === "kill") await broker.start();
    const h = spawnHost(configPath);
    t.after(() => h.child.kill("SIGKILL"));
    await started(h);
    const pub = publisher(broker.url);
    await waitFor(() => pub.sent >= 2000, "readings flowing", 30_000);
    if (how === "freeze") broker.freeze();
    else await broker.kill();
    await sleep(200);
    const stop = await term(h);
    t.diagnostic(`broker ${how === "freeze" ? "frozen" : "killed"}: exit after ${stop.ms} ms`);
    assert.equal(stop.code, 0, h.log());
    assert.ok(stop.ms < 20_000, `exited ${stop.ms} ms after SIGTERM`);
    assert.match(h.log(), /device checkpoints flushed/);
    assert.ok(readings() > 0);
    if (how === "freeze") broker.thaw();
    pub.abandon();
    await broker.stop();
  }
});
