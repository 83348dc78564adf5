// The dashboard's device list and live stream against what the service publishes: the list shows
// only a released metric, and the stream shows only outputs of devices someone is watching.

import { test } from "node:test";
import assert from "node:assert/strict";
import { client, waitFor } from "../helpers/mqtt.js";
import { LINGER_MS, WATCHED_RINGS } from "../../host/http/tracker.js";
import { MAX_STREAMS } from "../../host/http/live.js";
import { openStream, publish, reading, setup } from "./service.js";

interface Listed {
  name: string;
  metric: { name: string; value: number } | null;
}

test("after a reset the list withdraws the device's metric, as health and Prometheus do", async () => {
  const s = await setup({ perDeviceMetrics: true });
  const listed = async () => ((await (await s.get("/api/devices")).json()) as { devices: Listed[] }).devices[0];
  try {
    await publish(s.broker.url, "r1", 80);
    await waitFor(() => s.service.counters.readings >= 80, "80 readings");
    s.service.publishHealth(true);
    assert.equal((await listed()).metric?.name, "mae_ew", "a released metric is listed");
    s.service.resetDevice("r1");
    s.service.publishHealth(true);
    const health = s.service.deviceHealth("r1");
    assert.ok(health.ok && JSON.stringify(health.value.metrics) === "{}", "health withdraws the release");
    assert.ok(!(await (await s.get("/metrics")).text()).includes('edgelearn_device_model_metric{device="r1"'), "so does Prometheus");
    assert.equal((await listed()).metric, null, "and the list");
  } finally {
    await s.stop();
  }
});

test("with every ring watched, one more device is shown without live points, and no watched chart stops", async () => {
  const s = await setup({}, { pool: { maxDevices: 1000, hotInstances: 8 } });
  const names = Array.from({ length: WATCHED_RINGS + 1 }, (_, i) => `w${i}`);
  const feed = (i: number) => {
    for (const n of names) s.service.handle(`sensors/${n}`, Buffer.from(reading(i)));
  };
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  try {
    feed(0);
    for (const n of names) streams.push(await openStream(s.base, `device=${n}`));
    const histories = (st: (typeof streams)[number]) => st.events.filter((e) => e.event === "history").map((e) => e.data);
    await waitFor(() => streams.every((st) => histories(st).length === 1), "every stream's history");
    const last = streams[WATCHED_RINGS];
    assert.ok(streams.slice(0, WATCHED_RINGS).every((st) => histories(st)[0].live === true));
    assert.equal(histories(last)[0].live, false);
    assert.match(histories(last)[0].note, new RegExp(`${WATCHED_RINGS} devices are being watched already`));

    for (let i = 1; i <= 5; i++) feed(i);
    await waitFor(() => streams.slice(0, WATCHED_RINGS).every((st) => st.points().length === 5), "5 points on every watched chart");
    assert.equal(last.points().length, 0);
    assert.equal(s.running.http!.live.tracker.rings.size, WATCHED_RINGS);

    // A viewer leaves: the waiting stream gets a ring and its chart goes live.
    await streams[0].close();
    await waitFor(() => histories(last).length === 2, "a second history, live");
    assert.equal(histories(last)[1].live, true);
    feed(6);
    await waitFor(() => last.points().length === 1, "a live point on the chart that waited");
  } finally {
    for (const st of streams) await st.close();
    await s.stop();
  }
});

test("when a device's last viewer leaves, its outputs stop being recorded, and are dropped soon after", async () => {
  const s = await setup();
  const tracker = s.running.http!.live.tracker;
  const feed = (from: number, n: number) => {
    for (let i = from; i < from + n; i++) s.service.handle("sensors/v1", Buffer.from(reading(i)));
  };
  const history = async (st: Awaited<ReturnType<typeof openStream>>) => {
    await waitFor(() => st.events.some((e) => e.event === "history"), "the history");
    return st.events.find((e) => e.event === "history")!.data;
  };
  try {
    feed(0, 1);
    const first = await openStream(s.base, "device=v1");
    await history(first);
    feed(1, 3);
    await waitFor(() => first.points().length === 3, "3 points");
    await first.close();
    await waitFor(() => tracker.rings.get("v1")?.viewers === 0, "the server to see the viewer leave");
    feed(4, 25);
    assert.equal(tracker.rings.get("v1")?.points.length, 3, "nothing is recorded while nobody watches");

    // A stream opened again at once (the page does for a page change or a search) finds its chart.
    const again = await openStream(s.base, "device=v1");
    assert.equal((await history(again)).points.length, 3);
    await again.close();
    await waitFor(() => !tracker.rings.has("v1"), "the ring to be dropped", LINGER_MS + 3000);
    const later = await openStream(s.base, "device=v1");
    assert.deepEqual((await history(later)).points, [], "a later viewer starts afresh");
    await later.close();
  } finally {
    await s.stop();
  }
});

test("a chart shows only the outputs the device's publish rule sent on MQTT", async () => {
  // every5 publishes every 5th prediction (output.publish); quiet-1 only flagged ones (its rule).
  const s = await setup({}, { output: { healthIntervalSeconds: 1, publish: { mode: "every", every: 5 } }, devices: [{ match: "quiet-*", publish: { mode: "flagged" } }] });
  const mqtt = await client(s.broker.url, { protocolVersion: 4 });
  // Readings no model flags: every5 and quiet-1 publish only by their rules.
  const feed = (device: string, from: number, n: number) => {
    for (let i = from; i < from + n; i++) s.service.handle(`sensors/${device}`, Buffer.from(JSON.stringify({ a: i % 5, b: 1, y: 10 + i * 0.37 })));
  };
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  try {
    await mqtt.c.subscribeAsync("edgelearn/+/prediction", { qos: 1 });
    for (const d of ["every5", "quiet-1"]) {
      feed(d, 0, 1);
      const st = await openStream(s.base, `device=${d}`);
      await waitFor(() => st.events.some((e) => e.event === "history"), "the history");
      streams.push(st);
      feed(d, 1, 20);
    }
    const [every5, quiet] = streams;
    await waitFor(() => mqtt.json("edgelearn/every5/prediction").length === 5, "5 predictions of every5 (readings 1, 6, 11, 16, 21)");
    await waitFor(() => every5.points().length === 4, "4 points: the published ones after the stream opened");
    await new Promise((r) => setTimeout(r, 600)); // two more ticks: nothing else arrives
    assert.equal(every5.points().length, 4);
    assert.equal(mqtt.json("edgelearn/quiet-1/prediction").length, 0);
    assert.equal(quiet.points().length, 0, "nothing of quiet-1 was published, so its chart shows nothing");
    const published = mqtt.json("edgelearn/every5/prediction").slice(1).map((m) => m.prediction);
    assert.deepEqual(every5.points().map((p) => p[1]), published, "the points are the published predictions");
  } finally {
    for (const st of streams) await st.close();
    await mqtt.c.endAsync();
    await s.stop();
  }
});

test("a page tick builds each distinct list query once, shared by the streams that ask for it", async () => {
  const s = await setup();
  const live = s.running.http!.live as unknown as { tick(): void };
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  try {
    for (let i = 0; i < 30; i++) s.service.handle(`sensors/p${i}`, Buffer.from(reading(i)));
    for (let i = 0; i < 20; i++) streams.push(await openStream(s.base, "sort=readings"));
    streams.push(await openStream(s.base, "sort=name&offset=10"));
    // Count the list builds (one walk of the pool each) inside page ticks.
    const pool = s.service.pool;
    const all = pool.all.bind(pool);
    let inTick = false;
    const builds: number[] = [];
    pool.all = () => {
      if (inTick) builds[builds.length - 1]++;
      return all();
    };
    const tick = live.tick.bind(live);
    live.tick = () => {
      builds.push(0);
      inTick = true;
      try {
        tick();
      } finally {
        inTick = false;
      }
    };
    await waitFor(() => builds.filter((n) => n > 0).length >= 2, "two page ticks", 5000);
    assert.deepEqual(builds.filter((n) => n > 0).slice(0, 2), [2, 2], "two distinct queries: two builds a page tick, not 21");
    const pages = (st: (typeof streams)[number]) => st.events.filter((e) => e.event === "page").map((e) => e.data);
    await waitFor(() => streams.every((st) => pages(st).length >= 2), "a page tick's pages on every stream");
    assert.deepEqual(pages(streams[19])[1].devices.map((d: { name: string }) => d.name).slice(0, 3), pages(streams[0])[1].devices.map((d: { name: string }) => d.name).slice(0, 3));
    assert.equal(pages(streams[20])[1].devices[0].name, "p18", "the other query's own page (by name, from the 11th)");
  } finally {
    for (const st of streams) await st.close();
    await s.stop();
  }
});

test(`at most ${MAX_STREAMS} streams are open; one more is answered 503 with a message`, async () => {
  const s = await setup();
  const streams: Awaited<ReturnType<typeof openStream>>[] = [];
  try {
    for (let i = 0; i < MAX_STREAMS; i++) streams.push(await openStream(s.base, ""));
    assert.ok(streams.every((st) => st.res.status === 200));
    const refused = await s.get("/api/stream");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "10");
    assert.match(((await refused.json()) as { error: string }).error, new RegExp(`too many live views open \\(at most ${MAX_STREAMS}\\)`));
    assert.equal((await s.get("/api/devices")).status, 200, "the list itself is still answered");
    await streams.pop()!.close();
    await waitFor(() => (s.running.http!.live as unknown as { streams: Set<unknown> }).streams.size < MAX_STREAMS, "the server to see a stream close");
    streams.push(await openStream(s.base, ""));
    assert.equal(streams[streams.length - 1].res.status, 200, "a closed stream makes room");
  } finally {
    for (const st of streams) await st.close();
    await s.stop();
  }
});
