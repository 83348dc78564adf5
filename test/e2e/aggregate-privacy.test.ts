// No raw value in any aggregate (host/privacy/aggregate.ts), against a real Mosquitto: devices
// with 1, 2, 3 and N readings carrying sentinel values; health is published after every reading
// (the worst case: a slow sensor gets a publication per reading) and asked for by command after
// every reading. Then every published payload (retained or not, except the per-reading prediction
// topic, which is documented as per-reading data), every retained message, the store files and
// the logs are searched for the sentinels, for values derivable from pairs of numbers in one
// payload (a ± b: mean ± std), and for values derivable by differencing two publications. The
// HTTP server's responses (Prometheus metrics with per-device series, the dashboard's device list)
// are searched the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { startApp } from "../../host/app/start.js";
import { memoryLogger } from "../../host/logger.js";
import { MIN_READINGS } from "../../host/privacy/aggregate.js";
import { startMosquitto, requireMosquitto, freePort } from "../helpers/mosquitto.js";
import { client, waitFor, type Received } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

/** Every finite number in a JSON value, with its path. */
function numbers(v: unknown, path = "", out: [string, number][] = []): [string, number][] {
  if (typeof v === "number" && Number.isFinite(v)) out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) numbers(x, path ? `${path}.${k}` : k, out);
  return out;
}

const near = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

test("no statistic published, stored or logged gives away a reading: 1, 2, 3 and N readings", async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.cleanup());
  const dir = tempDir("aggregate");
  const { logger, lines } = memoryLogger("debug");
  const config = loadConfig({
    env: {},
    overrides: {
      mqtt: { url: broker.url, clientId: `edgelearn-aggregate-${process.pid}` },
      model: { task: "anomaly" },
      devices: [{ match: "meter-*", task: "regression", features: ["x"], target: "y" }],
      store: { type: "sqlite", path: join(dir, "state.db"), checkpoint: { everyReadings: 10 } },
      guard: { warmupReadings: 0 },
      http: { listen: `127.0.0.1:${await freePort()}`, perDeviceMetrics: true },
      log: { level: "debug" },
    },
  });
  const observer = await client(broker.url);
  await observer.c.subscribeAsync({ "#": { qos: 1 } });
  const running = await startApp(config, { logger });
  const s = running.service;
  t.after(() => running.stop());
  await s.ready;
  assert.ok(running.http, "the HTTP server is listening");

  // Sentinels: values no statistic of ordinary data would hit by chance (7+ significant digits).
  const sentinels: number[] = [];
  let k = 0;
  const sentinel = (): number => {
    const v = (8675.309 + 1234.5678 * k++) * (k % 2 ? 1 : -0.01);
    if (Math.abs(v - Math.round(v)) < 0.05) return sentinel(); // not near a whole number (times, counts)
    sentinels.push(v);
    return v;
  };
  const N = 3 * MIN_READINGS + 5;
  const plan: [string, number][] = [["meter-1", 1], ["meter-2", 2], ["meter-3", 3], ["meter-n", N], ["room-1", 1], ["room-n", N]];
  const seen = (d: string) => s.pool.get(d)?.meta.readings ?? 0;
  for (const [device, count] of plan) {
    for (let i = 0; i < count; i++) {
      const body = device.startsWith("meter") ? { x: sentinel(), y: sentinel() } : { a: sentinel(), b: sentinel() };
      await observer.c.publishAsync(`sensors/${device}`, JSON.stringify(body), { qos: 1 });
      await waitFor(() => seen(device) === i + 1, `${device} reading ${i + 1}`);
      s.publishHealth(true); // a publication per reading
      await observer.c.publishAsync(`edgelearn/${device}/cmd`, "health", { qos: 1 });
    }
  }
  await observer.c.publishAsync("edgelearn/cmd", "snapshot", { qos: 1 });
  await waitFor(() => observer.got.filter((m) => m.topic.endsWith("/reply")).length === plan.reduce((a, [, n]) => a + n, 0) + 1, "every command reply", 10_000);
  // What the HTTP server shows: metrics (every series, per device too) and the device list.
  const base = running.http!.url;
  const metricsText = await (await fetch(`${base}metrics`)).text();
  assert.match(metricsText, /edgelearn_device_readings_total\{device="meter-n"\}/);
  const httpJson = [await (await fetch(`${base}api/devices?limit=100`)).text(), ...(await Promise.all(plan.map(async ([d]) => (await fetch(`${base}api/devices?q=${d}`)).text())))];
  await running.stop();

  const retained = await client(broker.url);
  await retained.c.subscribeAsync({ "#": { qos: 1 } });
  await new Promise((r) => setTimeout(r, 300));
  await retained.c.endAsync();
  await observer.c.endAsync();

  // Per-reading outputs are what the contract says they are (target = prediction + error):
  // excluded here, documented in docs/PRIVACY.md.
  const published: Received[] = [...observer.got, ...retained.got.filter((m) => m.retain)].filter((m) => !m.topic.endsWith("/prediction") && !m.topic.startsWith("sensors/"));
  assert.ok(published.some((m) => m.topic === "edgelearn/meter-n/health"));
  const leaks: string[] = [];
  const check = (where: string, v: number, rel: number, how: string) => {
    for (const x of sentinels) if (near(v, x, rel)) leaks.push(`${x} ${how} in ${where}`);
  };
  // Prometheus text: one sample a line, "name{labels} value"; every sample of a device is a group.
  for (const line of metricsText.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const v = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(v)) check(`metrics ${line.slice(0, line.lastIndexOf(" "))}`, v, 1e-6, "as a value");
  }
  for (const [i, text] of httpJson.entries()) published.push({ topic: `http/api/devices#${i}`, text, retain: false } as Received);
  for (const m of published) {
    let j: unknown;
    try {
      j = JSON.parse(m.text);
    } catch {
      continue; // "online"/"offline"
    }
    // timestamps (ts, time) are not statistics: their sums and differences are left out of the pairs
    const nums = numbers(j).filter(([p]) => !/(^|\.)(ts|time)$/.test(p));
    for (const [p, v] of nums) check(`${m.topic} ${p}`, v, 1e-6, "as a value");
    for (let a = 0; a < nums.length; a++)
      for (let b = a + 1; b < nums.length; b++) {
        const [pa, va] = nums[a];
        const [pb, vb] = nums[b];
        for (const [how, v] of [["+", va + vb], ["-", va - vb], ["-", vb - va]] as const) check(`${m.topic} ${pa} ${how} ${pb}`, v, 2e-6, "from a pair");
      }
  }

  // Differencing: a published statistic moves only after MIN_READINGS more learned readings.
  for (const [device] of plan) {
    const hs = published.filter((m) => m.topic === `edgelearn/${device}/health`).map((m) => JSON.parse(m.text));
    const stats = (h: any) => ({ ...h.metrics, level: h.guard?.level ?? null, baseline: h.guard?.baseline ?? null });
    // per statistic: the value and the learned count at which it first appeared
    const first = new Map<string, { v: number; n: number }>();
    for (const h of hs) {
      for (const [key, v] of Object.entries(stats(h)) as [string, number | null][]) {
        if (v == null) continue;
        const prev = first.get(key);
        if (prev && prev.v === v) continue;
        first.set(key, { v, n: h.learned });
        if (!prev) continue;
        if (h.learned - prev.n < MIN_READINGS) leaks.push(`${device} ${key} moved after ${h.learned - prev.n} readings`);
        if (h.learned > prev.n) check(`${device} ${key} differenced`, (h.learned * v - prev.n * prev.v) / (h.learned - prev.n), 1e-4, "by differencing");
      }
    }
    const few = hs.filter((h) => h.learned < MIN_READINGS);
    for (const h of few) {
      if (Object.keys(h.metrics).length) leaks.push(`${device} published metrics after ${h.learned} readings`);
      if (h.guard && h.guard.level !== null) leaks.push(`${device} published the guard level after ${h.learned} readings`);
    }
  }
  const last = JSON.parse(published.filter((m) => m.topic === "edgelearn/meter-n/health").at(-1)!.text);
  assert.ok(typeof last.metrics.mae === "number" && typeof last.guard.level === "number", "statistics are published once enough readings are behind them");

  // Logs, and the store as text and as float64 (f32 copies are model state: see docs/PRIVACY.md).
  const f64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return b;
  };
  const log = lines.join("\n");
  const files = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))] as const);
  for (const x of sentinels) {
    for (const text of [String(x), x.toPrecision(7), x.toPrecision(6)]) {
      if (log.includes(text)) leaks.push(`${x} in the log`);
      for (const [f, bytes] of files) if (bytes.includes(text)) leaks.push(`${x} as text in ${f}`);
    }
    for (const [f, bytes] of files) if (bytes.includes(f64(x))) leaks.push(`${x} as float64 in ${f}`);
  }
  assert.deepEqual(leaks, []);
});
