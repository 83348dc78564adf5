// What the service's face costs: readings/s through Service.handle bare and with the metrics and
// dashboard listeners attached (one device watched by a dashboard), the cost of one message-time
// histogram observation, and at 10,000 devices the time of a /metrics scrape (host-wide, and with
// per-device series) and of one page of the dashboard's device list (by name, by recent activity,
// a search).

import { loadConfig } from "../host/config/load.js";
import { Service } from "../host/service/service.js";
import { memoryLogger } from "../host/logger.js";
import { ServiceMetrics } from "../host/metrics/registry.js";
import type { ServerResponse } from "node:http";
import { LiveView, MAX_STREAMS, PAGE_BUDGET_MS } from "../host/http/live.js";
import { listDevices, parseQuery } from "../host/http/device-list.js";
import { Histogram, Registry } from "prom-client";
import { FastHistogram } from "../host/metrics/fast-histogram.js";
import { LATENCY_BUCKETS } from "../host/metrics/registry.js";
import type { BenchModule, BenchRow } from "./types.js";

const NF = 4;

function service(devices: number): Service {
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a", "b", "c", "d"] },
      store: { type: "none" },
      pool: { maxDevices: Math.max(devices, 10), hotInstances: Math.min(devices, 256) },
      guard: { enabled: false },
    },
  });
  const publisher = { connected: true, publish: () => {} };
  return new Service(config, { connect: false, publisher, logger: memoryLogger("error").logger }).start();
}

const payloads = Array.from({ length: 64 }, (_, i) => {
  const f = Array.from({ length: NF }, (_, j) => Math.sin(i + j));
  return Buffer.from(JSON.stringify({ a: f[0], b: f[1], c: f[2], d: f[3], y: f[0] - f[1] }));
});

function rate(svc: Service, devices: number, readings: number): number {
  const topics = Array.from({ length: devices }, (_, d) => `sensors/dev${d}`);
  for (let i = 0; i < devices; i++) svc.handle(topics[i], payloads[0]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < readings; i++) svc.handle(topics[i % devices], payloads[i & 63]);
  return readings / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function best(n: number, f: () => void): number {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    f();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return b;
}

async function bestAsync(n: number, f: () => Promise<unknown>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return b;
}

/**
 * MAX_STREAMS live views, each on a different page of the list by recent activity: the event-loop
 * time of one page tick (the timer's every fourth tick), and how many page ticks pass before
 * every view has had a fresh page (page ticks stop building at PAGE_BUDGET_MS).
 */
function pageTicks(fleet: Service, devices: number): BenchRow[] {
  const view = new LiveView(fleet);
  const got: number[] = [];
  for (let i = 0; i < MAX_STREAMS; i++) {
    const res = {
      writableLength: 0,
      writeHead: () => res,
      on: () => res,
      end: () => res,
      write: (text: string) => (text.startsWith("event: page") && got[i]++, true),
    };
    got.push(0);
    const offset = Math.floor((i * devices) / MAX_STREAMS);
    view.open(res as unknown as ServerResponse, parseQuery(new URLSearchParams(`sort=recent&offset=${offset}`)), undefined);
  }
  const tick = () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 4; i++) view.tick();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  let ticks = 0;
  let worst = 0;
  let total = 0;
  while (got.some((n) => n < 2) && ticks < 1000) {
    const ms = tick();
    worst = Math.max(worst, ms);
    total += ms;
    ticks++;
  }
  view.close();
  return [
    { metric: `page tick, ${MAX_STREAMS} views on different pages, ${devices} devices: worst`, value: +worst.toFixed(1), unit: "ms", note: `budget ${PAGE_BUDGET_MS} ms; mean ${(total / ticks).toFixed(1)} ms` },
    { metric: `page ticks until each of the ${MAX_STREAMS} views had a fresh page`, value: ticks, unit: "ticks", note: "one page tick a second" },
  ];
}

const bench: BenchModule = {
  name: "dashboard",
  description: "cost of metrics and dashboard: readings/s with their listeners, /metrics and device-list pages at 10,000 devices",
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    const readings = quick ? 50_000 : 400_000;
    const devices = 100;

    log("readings/s bare and with listeners (alternating rounds, best of each: the machine is shared)");
    let bare = 0;
    let withFace = 0;
    for (let round = 0; round < 3; round++) {
      const bareSvc = service(devices);
      bare = Math.max(bare, rate(bareSvc, devices, readings));
      await bareSvc.stop();
      const faced = service(devices);
      const metrics = new ServiceMetrics(false).attach(faced);
      const live = new LiveView(faced);
      live.tracker.watch("dev7");
      withFace = Math.max(withFace, rate(faced, devices, readings));
      metrics.stop();
      await faced.stop();
    }
    rows.push({ metric: `readings/s, Service.handle, ${devices} devices, no listeners`, value: Math.round(bare), unit: "/s" });
    rows.push({ metric: "readings/s, with metrics and dashboard listeners (1 device watched)", value: Math.round(withFace), unit: "/s", note: `ratio ${(withFace / bare).toFixed(3)} (same run)` });

    const n = 1_000_000;
    const observe = (h: { observe(v: number): void }) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) h.observe((i & 1023) * 1e-7);
      return +(Number(process.hrtime.bigint() - t0) / n).toFixed(1);
    };
    const reg = new Registry();
    rows.push({ metric: "message-time histogram (host/metrics/fast-histogram), one observation", value: observe(new FastHistogram("a", "a", LATENCY_BUCKETS, reg)), unit: "ns" });
    rows.push({ metric: "prom-client Histogram, same buckets, one observation", value: observe(new Histogram({ name: "b", help: "b", buckets: [...LATENCY_BUCKETS], registers: [reg] })), unit: "ns" });

    const big = quick ? 2_000 : 10_000;
    log(`${big} devices`);
    const fleet = service(big);
    const hostOnly = new ServiceMetrics(false).attach(fleet);
    const perDevice = new ServiceMetrics(true).attach(fleet);
    const view = new LiveView(fleet);
    rate(fleet, big, big);
    fleet.publishHealth(true);
    let size = 0;
    rows.push({ metric: `/metrics scrape, host-wide series, ${big} devices`, value: +(await bestAsync(5, async () => (size = (await hostOnly.text()).body.length))).toFixed(2), unit: "ms", note: `${(size / 1024).toFixed(1)} KiB` });
    rows.push({ metric: `/metrics scrape, with per-device series, ${big} devices`, value: +(await bestAsync(3, async () => (size = (await perDevice.text()).body.length))).toFixed(1), unit: "ms", note: `${(size / 1024 / 1024).toFixed(1)} MiB` });
    const page = (q: string) => best(5, () => listDevices(fleet, view.tracker, view.metrics, parseQuery(new URLSearchParams(q))));
    rows.push({ metric: `device list page (50, by name), ${big} devices`, value: +page("").toFixed(2), unit: "ms" });
    rows.push({ metric: `device list page (50, by recent activity), ${big} devices`, value: +page("sort=recent").toFixed(2), unit: "ms" });
    rows.push({ metric: `device list search "dev12", ${big} devices`, value: +page("q=dev12").toFixed(2), unit: "ms" });
    rows.push(...pageTicks(fleet, big));
    hostOnly.stop();
    perDevice.stop();
    await fleet.stop();
    return { name: "dashboard", rows };
  },
};

export default bench;
