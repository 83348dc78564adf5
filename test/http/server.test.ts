// The HTTP server on a running service (embedded broker, free ports): probes, Prometheus metrics,
// credentials, commands, the device list at 10,000 devices, and the live stream.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { loadConfig } from "../../host/config/load.js";
import { memoryLogger } from "../../host/logger.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { startApp } from "../../host/app/start.js";
import { ListenError } from "../../host/http/listen-error.js";
import { MemoryStore } from "../../host/store/memory.js";
import { waitFor } from "../helpers/mqtt.js";
import { TOKEN, openStream, publish, rawRequest, reading, setup } from "./service.js";

const metricValue = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test("probes, metrics and the device list on a loopback service without credentials", async () => {
  const s = await setup();
  try {
    assert.equal((await s.get("/healthz")).status, 200);
    const ready = await s.get("/readyz");
    assert.equal(ready.status, 200, await ready.text());

    await publish(s.broker.url, "m1", 120);
    await publish(s.broker.url, "m2", 10);
    await waitFor(() => s.service.counters.readings >= 130, "130 readings");
    s.service.handle("sensors/m1", Buffer.from("{broken"));
    const res = await s.get("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.equal(metricValue(text, "edgelearn_readings_total"), 131);
    assert.equal(metricValue(text, "edgelearn_learned_total"), 130);
    assert.equal(metricValue(text, 'edgelearn_rejected_total{reason="malformed_json"}'), 1);
    assert.equal(metricValue(text, "edgelearn_devices"), 2);
    assert.equal(metricValue(text, "edgelearn_mqtt_connected"), 1);
    assert.equal(metricValue(text, "edgelearn_message_duration_seconds_count"), 130, "one observation per MQTT message");
    assert.ok(metricValue(text, "edgelearn_checkpoints_total")! >= 2, "checkpoints every 50 readings are timed");
    assert.ok(metricValue(text, "edgelearn_checkpoint_duration_seconds_count")! >= 2);
    for (const name of ["edgelearn_drifts_total", "edgelearn_anomalies_total", "edgelearn_rollbacks_total", "edgelearn_swaps_total", "edgelearn_devices_hot", "edgelearn_predictions_dropped_total", "edgelearn_checkpoint_failures_total", "edgelearn_event_loop_lag_seconds_count", "edgelearn_refused_total{reason=\"device_cap\"}", "process_cpu_seconds_total"]) {
      assert.notEqual(metricValue(text, name), undefined, `${name} in /metrics`);
    }
    assert.ok(!text.includes('device="m1"'), "per-device series are opt-in");

    const list = (await (await s.get("/api/devices?sort=readings")).json()) as { total: number; devices: { name: string; readings: number; task: string }[] };
    assert.equal(list.total, 2);
    assert.deepEqual(list.devices.map((d) => [d.name, d.readings, d.task]), [["m1", 121, "regression"], ["m2", 10, "regression"]]);

    // Commands are off: refused even on loopback.
    const r = await fetch(s.base + "api/devices/m1/reset", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as { error: string }).error, /http\.commands/);
    assert.equal((await s.get("/")).status, 200);
    assert.match(await (await s.get("/assets/uPlot.iife.min.js")).text(), /uPlot/);

    // The broker goes away: not ready any more, still healthy.
    await s.broker.close();
    await waitFor(() => !s.service.connection!.connected, "the connection to drop");
    const nr = await s.get("/readyz");
    assert.equal(nr.status, 503);
    assert.match(await nr.text(), /broker connection down/);
    assert.equal((await s.get("/healthz")).status, 200);
  } finally {
    await s.stop();
  }
});

test("per-device metrics when asked for, without statistics of raw values", async () => {
  const s = await setup({ perDeviceMetrics: true });
  try {
    await publish(s.broker.url, "m1", 60);
    await waitFor(() => s.service.counters.readings >= 60, "60 readings");
    s.service.publishHealth(true);
    const text = await (await s.get("/metrics")).text();
    assert.equal(metricValue(text, 'edgelearn_device_readings_total{device="m1"}'), 60);
    assert.equal(metricValue(text, 'edgelearn_device_learned_total{device="m1"}'), 60);
    assert.notEqual(metricValue(text, 'edgelearn_device_model_metric{device="m1",metric="mae"}'), undefined);
    assert.ok(!/metric="target_(mean|std)"/.test(text), "no aggregates of raw values as metrics");
    s.service.forgetDevice("m1");
    assert.ok(!(await (await s.get("/metrics")).text()).includes('device="m1"'), "a forgotten device's series go");
  } finally {
    await s.stop();
  }
});

test("with a token: data needs it, probes and the page shell do not; commands work only with it", async () => {
  const s = await setup({ token: TOKEN, commands: true }, { guard: { enabled: false } });
  const auth = { authorization: `Bearer ${TOKEN}` };
  try {
    await publish(s.broker.url, "m1", 120);
    await waitFor(() => s.service.counters.readings >= 120, "120 readings");
    const m = await s.get("/metrics");
    assert.equal(m.status, 401);
    assert.equal(m.headers.get("www-authenticate"), 'Bearer realm="edgelearn"');
    assert.equal((await s.get("/metrics", { authorization: "Bearer wrong-token-0123456789" })).status, 401);
    assert.equal((await s.get("/metrics", auth)).status, 200);
    assert.equal((await s.get("/api/devices")).status, 401);
    assert.equal((await s.get("/api/stream")).status, 401);
    assert.equal((await s.get("/healthz")).status, 200);
    assert.equal((await s.get("/readyz")).status, 200);
    assert.equal((await s.get("/")).status, 200);

    const post = (path: string, headers: Record<string, string>) => fetch(s.base + path, { method: "POST", headers, body: "{}" });
    const json = { "content-type": "application/json" };
    assert.equal((await post("api/devices/m1/reset", json)).status, 401, "no credentials");
    assert.equal((await post("api/devices/m1/reset", { ...auth })).status, 403, "not a JSON request");
    assert.equal((await post("api/devices/m1/reset", { ...auth, ...json, origin: "http://evil.example" })).status, 403, "another origin");
    assert.equal((await post("api/devices/nope/reset", { ...auth, ...json })).status, 404);
    // A device name that is not valid percent-encoding is the client's mistake: 400, nothing logged.
    const malformed = await post("api/devices/%E0%A4%A/reset", { ...auth, ...json });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: string }).error, /percent-encoding/);
    assert.equal((await s.get("/api/devices/%ZZ/snapshot", auth)).status, 400);
    assert.ok(!s.lines.some((l) => l.includes("HTTP POST") || l.includes("HTTP GET")), s.lines.join("\n"));

    const snap = await s.get("/api/devices/m1/snapshot", auth);
    assert.equal(snap.status, 200);
    const blob = new Uint8Array(await snap.arrayBuffer());
    assert.deepEqual(s.service.snapshotDevice("m1"), { ok: true, value: blob });
    assert.equal((await s.get("/api/devices/m1/snapshot")).status, 401);

    const rb = await post("api/devices/m1/rollback", { ...auth, ...json });
    assert.equal(rb.status, 200, await rb.clone().text());
    assert.equal(((await rb.json()) as { ok: boolean }).ok, true);
    const reset = await post("api/devices/m1/reset", { ...auth, ...json });
    assert.deepEqual(await reset.json(), { ok: true, cmd: "reset", device: "m1" });
    assert.ok(s.lines.some((l) => l.includes("HTTP: device m1 reset")));
  } finally {
    await s.stop();
  }
});

test("behind a reverse proxy that rewrites Host, commands from http.publicOrigin are accepted and other origins still refused", async () => {
  // fetch sends Host: 127.0.0.1:<port>, as a proxy forwarding to the internal address does.
  const s = await setup({ token: TOKEN, commands: true, publicOrigin: "https://edge.example.com" });
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const reset = async (origin: string) => (await fetch(s.base + "api/devices/p1/reset", { method: "POST", headers: { ...headers, origin }, body: "{}" })).status;
  try {
    await publish(s.broker.url, "p1", 5);
    await waitFor(() => s.service.counters.readings >= 5, "5 readings");
    assert.equal(await reset("https://edge.example.com"), 200, "the public origin");
    assert.equal(await reset(new URL(s.base).origin), 200, "direct, the origin Host names");
    assert.equal(await reset("http://evil.example"), 403);
    assert.equal(await reset("http://edge.example.com"), 403, "another scheme is another origin");
  } finally {
    await s.stop();
  }
});

test("with a list in http.publicOrigin, commands from each of its origins are accepted", async () => {
  const s = await setup({ token: TOKEN, commands: true, publicOrigin: ["https://edge.example.com", "http://edge.lan:8080"] });
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const reset = async (origin: string) => (await fetch(s.base + "api/devices/p1/reset", { method: "POST", headers: { ...headers, origin }, body: "{}" })).status;
  try {
    await publish(s.broker.url, "p1", 5);
    await waitFor(() => s.service.counters.readings >= 5, "5 readings");
    assert.equal(await reset("https://edge.example.com"), 200);
    assert.equal(await reset("http://edge.lan:8080"), 200);
    assert.equal(await reset(new URL(s.base).origin), 200, "direct, the origin Host names");
    assert.equal(await reset("http://edge.lan"), 403, "another port is another origin");
    assert.equal(await reset("http://evil.example"), 403);
  } finally {
    await s.stop();
  }
});

test("basic auth", async () => {
  const s = await setup({ username: "prom", password: "secret-password" });
  try {
    const basic = (u: string, p: string) => ({ authorization: "Basic " + Buffer.from(`${u}:${p}`).toString("base64") });
    assert.equal((await s.get("/metrics", basic("prom", "secret-password"))).status, 200);
    assert.equal((await s.get("/metrics", basic("prom", "wrong"))).status, 401);
    assert.equal((await s.get("/metrics")).headers.get("www-authenticate"), 'Basic realm="edgelearn"');
  } finally {
    await s.stop();
  }
});

test("the device list stays paged and searchable at 10,000 devices", async () => {
  const s = await setup({}, { pool: { maxDevices: 10000, hotInstances: 64 } });
  try {
    for (let i = 0; i < 10000; i++) s.service.handle(`sensors/dev-${String(i).padStart(5, "0")}`, Buffer.from(reading(i)));
    const page = (await (await s.get("/api/devices?offset=9990&limit=50")).json()) as { total: number; devices: { name: string }[] };
    assert.equal(page.total, 10000);
    assert.deepEqual(page.devices.map((d) => d.name), Array.from({ length: 10 }, (_, i) => `dev-0${9990 + i}`));
    const found = (await (await s.get("/api/devices?q=dev-0123&limit=500")).json()) as { total: number; devices: unknown[] };
    assert.equal(found.total, 10);
    const big = (await (await s.get("/api/devices?limit=100000")).json()) as { devices: unknown[] };
    assert.equal(big.devices.length, 500, "a page is at most 500 devices");
  } finally {
    await s.stop();
  }
});

test("the live stream: page, then a watched device's history, points and markers", async () => {
  const s = await setup();
  try {
    await publish(s.broker.url, "m1", 5);
    await waitFor(() => s.service.counters.readings >= 5, "5 readings");
    const { res, events, points, close } = await openStream(s.base, "device=m1");
    await waitFor(() => events.some((e) => e.event === "history"), "history", 5000);
    assert.equal(events[0].event, "page");
    assert.deepEqual(events[1].data.points, [], "nothing is kept for a device before someone watches it");
    await publish(s.broker.url, "m1", 30);
    s.service.handle("sensors/m1", Buffer.from('{"a": "x", "b": 1, "y": 2}'));
    s.service.rollbackDevice("m1");
    const blob = s.service.snapshotDevice("m1");
    assert.ok(blob.ok && s.service.loadDevice("m1", blob.value).ok);
    await waitFor(() => points().length >= 30, "30 points", 5000);
    const markers = () => events.flatMap((e) => (e.event === "points" ? e.data.markers : [])).map((m: { kind: string }) => m.kind);
    await waitFor(() => markers().includes("rejected") && markers().includes("load"), "a rejection marker and a load marker", 5000);
    const pts = points();
    const p = pts[pts.length - 1];
    assert.equal(p.length, 7);
    assert.equal(typeof p[1], "number", "prediction");
    assert.equal(typeof p[3], "number", "error");
    await waitFor(() => events.filter((e) => e.event === "page").length >= 2, "a page refresh", 5000);
    await close();
  } finally {
    await s.stop();
  }
});

test("a taken port fails the start, naming http.listen and the address; what started before it is stopped", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
  const port = (blocker.address() as { port: number }).port;
  const broker = await startBroker(0);
  let connected = 0;
  broker.aedes.on("client", () => connected++);
  const store = new MemoryStore();
  let storeClosed = false;
  store.close = () => void (storeClosed = true);
  const config = loadConfig({ env: {}, overrides: { mqtt: { url: broker.url, protocolVersion: 4 }, http: { listen: `127.0.0.1:${port}` } } });
  try {
    // It used to log the error and go on without metrics, probes and dashboard: a service that
    // looks dead to whoever watches it, and that nothing restarts.
    const failed = await startApp(config, { logger: memoryLogger("info").logger, store }).then(async (app) => {
      await app.stop();
      return undefined;
    }, (e: Error) => e);
    assert.ok(failed instanceof ListenError, `started without its HTTP server, or another error: ${failed}`);
    assert.ok(failed.message.startsWith(`http.listen 127.0.0.1:${port}: address already in use;`), failed.message);
    assert.ok(storeClosed, "the store was left open");
    // The service's MQTT client is closed, not left reconnecting.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(broker.aedes.connectedClients, 0, `${connected} connection(s), still connected`);
  } finally {
    await broker.close();
    blocker.close();
  }
});

test("without credentials only requests for this machine's names or http.publicOrigin's hosts are answered (DNS rebinding)", async () => {
  const s = await setup({ publicOrigin: ["https://edge.example.com", "http://[fd00::1]:8080"] });
  const port = new URL(s.base).port;
  const status = async (path: string, host: string) => (await rawRequest(s.base, path, { host })).status;
  try {
    await publish(s.broker.url, "h1", 5);
    await waitFor(() => s.service.counters.readings >= 5, "5 readings");
    for (const path of ["/api/devices", "/metrics", "/api/stream?device=h1", "/", "/assets/dashboard.js", "/nowhere"]) {
      const r = await rawRequest(s.base, path, { host: `attacker.example:${port}` });
      assert.equal(r.status, 421, path);
      assert.match(r.body, /http\.publicOrigin/, path);
      assert.ok(!r.body.includes("h1"), `${path}: no data`);
    }
    assert.equal(await status("/healthz", `attacker.example:${port}`), 200, "probes answer any Host");
    assert.equal(await status("/readyz", "10.0.0.7"), 200);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.2:${port}`, `[::1]:${port}`, "edge.example.com", "edge.example.com:8443", "[fd00::1]:8080"]) {
      assert.equal(await status("/api/devices", host), 200, host);
    }
    for (const host of ["edge.example.com.attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "[fd00::2]:8080", "a b"]) {
      assert.equal(await status("/api/devices", host), 421, host);
    }
  } finally {
    await s.stop();
  }
});

test("with credentials any Host is answered: the credentials protect the data", async () => {
  const s = await setup({ token: TOKEN });
  const host = `attacker.example:${new URL(s.base).port}`;
  try {
    assert.equal((await rawRequest(s.base, "/api/devices", { host })).status, 401);
    assert.equal((await rawRequest(s.base, "/api/devices", { host, authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await rawRequest(s.base, "/", { host })).status, 200, "the page holds no data");
  } finally {
    await s.stop();
  }
});

test("HEAD is answered like GET without a body; another method on a known path gets 405 with Allow", async () => {
  const s = await setup({ token: TOKEN, commands: true });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const head = (path: string, headers: Record<string, string> = auth) => fetch(s.base + path, { method: "HEAD", headers });
  try {
    await publish(s.broker.url, "m1", 5);
    await waitFor(() => s.service.counters.readings >= 5, "5 readings");
    for (const path of ["healthz", "readyz", "metrics", "api/devices", "", "assets/dashboard.js", "api/devices/m1/snapshot"]) {
      const r = await head(path);
      assert.equal(r.status, 200, path);
      assert.equal(await r.text(), "", `${path}: no body`);
      const got = await s.get(path, auth);
      assert.equal(r.headers.get("content-type"), got.headers.get("content-type"), path);
      if (got.headers.has("content-length") && path !== "api/devices") assert.equal(r.headers.get("content-length"), got.headers.get("content-length"), path);
      await got.arrayBuffer();
    }
    assert.equal((await head("api/devices", {})).status, 401, "HEAD needs the credentials GET needs");
    const stream = await head("api/stream?device=m1");
    assert.equal(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(await stream.text(), "", "HEAD of the stream ends at once");
    assert.equal(s.running.http!.live["streams"].size, 0, "and leaves no stream open");

    const cases: [string, string, string][] = [
      ["POST", "metrics", "GET, HEAD"],
      ["DELETE", "metrics", "GET, HEAD"],
      ["POST", "api/devices", "GET, HEAD"],
      ["PUT", "api/stream", "GET, HEAD"],
      ["POST", "", "GET, HEAD"],
      ["POST", "healthz", "GET, HEAD"],
      ["GET", "api/devices/m1/reset", "POST"],
      ["HEAD", "api/devices/m1/rollback", "POST"],
      ["POST", "api/devices/m1/snapshot", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await fetch(s.base + path, { method, headers: auth });
      assert.equal(r.status, 405, `${method} /${path}`);
      assert.equal(r.headers.get("allow"), allow, `${method} /${path}`);
      await r.arrayBuffer();
    }
    assert.equal((await fetch(s.base + "nowhere", { method: "POST", headers: auth })).status, 404, "an unknown path is still 404");
    assert.equal(s.service.deviceHealth("m1").ok, true);
  } finally {
    await s.stop();
  }
});
