// End to end through a real Mosquitto: readings/s of the edgelearn service next to a bare MQTT.js
// subscriber that only counts (same run, same broker, same publisher), publish → prediction
// latency at 1,000 and 5,000 readings/s next to an echo client (the floor), RSS against stream
// length and against the number of devices.
//
// Every consumer runs in its own child process (bench/lib/mqtt-worker.ts); the publisher and
// the latency monitor run here. The publisher keeps at most LEAD readings ahead of what the
// consumer has processed, so the consumer always has work, the broker never has to drop, and
// the rate measured is the consumer's.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import { Prng } from "../host/tools/sim/index.js";
import { startMosquitto, type Mosquitto } from "../test/helpers/mosquitto.js";
import type { WorkerStats } from "./lib/mqtt-worker.js";
import { RawPublisher } from "./lib/raw-publisher.js";
import type { BenchModule, BenchRow } from "./types.js";

const WORKER = fileURLToPath(new URL("./lib/mqtt-worker.js", import.meta.url));
const FEATURES = 8;
/** Readings the publisher may be ahead of the consumer (under Mosquitto's 1,000-message queue). */
const LEAD = 600;
const MiB = 1024 * 1024;
/**
 * The V8 flags the service runs with (bin/edgelearn.js's shebang, deploy/edgelearn.service):
 * with V8's default semi-space (growing to 16 MiB) the young generation, and RSS with it, keeps
 * growing over a long stream; 4 MiB keeps it flat (docs/BENCHMARKS.md has the readings/s).
 */
const SERVICE_V8_FLAGS = ["--max-semi-space-size=4"];

class Worker {
  private pending: ((m: unknown) => void)[] = [];
  private constructor(readonly child: ChildProcess) {
    child.on("message", (m) => this.pending.shift()?.(m));
  }

  static async start(args: string[], v8Flags: string[] = SERVICE_V8_FLAGS): Promise<Worker> {
    const child = fork(WORKER, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: ["--expose-gc", ...v8Flags] });
    const w = new Worker(child);
    await new Promise<void>((resolve, reject) => {
      w.pending.push(() => resolve());
      child.once("exit", (code) => reject(new Error(`worker ${args[0]} exited with ${code} before it was ready`)));
    });
    return w;
  }

  private ask<T>(cmd: string, extra: object = {}): Promise<T> {
    return new Promise((resolve) => {
      this.pending.push(resolve as (m: unknown) => void);
      this.child.send({ cmd, ...extra });
    });
  }
  /** direct mode: hands the service n readings round-robin over `devices`. */
  feed(n: number, devices: number, payloads: string[]): Promise<unknown> {
    return this.ask("feed", { n, devices, payloads });
  }
  /** Messages processed so far (cheap: polled while pumping). */
  count(): Promise<WorkerStats> {
    return this.ask("count");
  }
  /** Count plus RSS and heap (process.memoryUsage() is not free: only between phases). */
  stats(): Promise<WorkerStats> {
    return this.ask("stats");
  }
  gc(): Promise<unknown> {
    return this.ask("gc");
  }
  /**
   * Full collections with a pause between them, so RSS is read after V8 has released what it
   * will release: right after one collection RSS still swings by ±8 % with whichever pages the
   * young generation and the allocator hold at that moment, which hides any trend.
   */
  async settle(): Promise<void> {
    await this.gc();
    await this.gc();
    await sleep(200);
    await this.gc();
  }
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.send({ cmd: "stop" });
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }
}

/** Deterministic readings: 8 features and a noisy linear target, as flat JSON. */
function payloads(count: number, seed: number): string[] {
  const r = new Prng(seed);
  const w = Array.from({ length: FEATURES }, () => r.range(-2, 2));
  return Array.from({ length: count }, () => {
    const o: Record<string, number> = {};
    let y = 1;
    for (let j = 0; j < FEATURES; j++) {
      const v = Number(r.normal(20, 5).toFixed(3));
      o[`f${j}`] = v;
      y += w[j] * v;
    }
    o.y = Number((y + r.normal(0, 0.5)).toFixed(3));
    return JSON.stringify(o);
  });
}

async function connect(url: string, id: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { protocolVersion: 5, clean: true, clientId: `${id}-${process.pid}`, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes `target` readings round-robin over `devices`, staying at most LEAD ahead of what the
 * worker has processed, until the worker has processed them all. Returns readings/s from the
 * first publish to the worker's last message.
 */
async function pump(pub: RawPublisher, w: Worker, target: number, devices: number, qos: 0 | 1, body: string[]): Promise<{ rate: number; seconds: number; republished: number }> {
  const base = (await w.count()).count;
  let sent = 0;
  let republished = 0;
  let lastDone = -1;
  let changedAt = Date.now();
  const t0 = process.hrtime.bigint();
  for (;;) {
    const s = await w.count();
    const done = s.count - base;
    if (done >= target) {
      const seconds = Number(BigInt(s.lastNs) - t0) / 1e9;
      return { rate: done / seconds, seconds, republished };
    }
    if (done !== lastDone) {
      lastDone = done;
      changedAt = Date.now();
    } else if (Date.now() - changedAt > 1000 && sent > done) {
      // Nothing arrived for a second with readings outstanding: the broker dropped some.
      if (Date.now() - changedAt > 10_000) throw new Error(`consumer stalled at ${done} of ${target} readings`);
      republished += sent - done;
      sent = done;
    }
    let k = Math.min(LEAD - (sent - done), target - sent);
    if (k <= 0 || (k < LEAD / 4 && k < target - sent)) {
      await sleep(1); // the consumer is busy; do not flood it with polls
      continue;
    }
    pub.batch(() => {
      while (k-- > 0) {
        pub.publish(`sensors/dev-${(base + sent) % devices}`, body[sent % body.length], qos);
        sent++;
      }
    });
    await new Promise((r) => setImmediate(r));
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  received: number;
  sent: number;
  achieved: number;
}

/** Publishes at `rate` readings/s for `seconds` and measures publish → prediction latency. */
async function latency(url: string, rate: number, seconds: number, devices: number): Promise<Latency> {
  const pub = await RawPublisher.connect(url, `bench-lat-pub-${process.pid}`);
  const mon = await connect(url, `bench-lat-mon-${rate}-${seconds}`);
  await mon.subscribeAsync("edgelearn/+/prediction", { qos: 0 });
  const total = Math.round(rate * seconds);
  const sentAt = new Float64Array(total).fill(NaN);
  const lat: number[] = [];
  const tsBase = Date.now() - 1e6;
  mon.on("message", (_t, payload) => {
    const now = performance.now();
    const ts = (JSON.parse(payload.toString()) as { ts?: number }).ts;
    const seq = typeof ts === "number" ? ts - tsBase : -1;
    if (seq >= 0 && seq < total && Number.isFinite(sentAt[seq])) lat.push(now - sentAt[seq]);
  });
  const body = payloads(1000, 5);
  const t0 = performance.now();
  let seq = 0;
  while (seq < total) {
    // Paced by the clock: every reading due by now goes out now, at QoS 1 (the service's default).
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    while (seq < due) {
      const b = body[seq % body.length];
      sentAt[seq] = performance.now();
      pub.publish(`sensors/lat-${seq % devices}`, `{"ts":${tsBase + seq},${b.slice(1)}`, 1);
      seq++;
    }
    await sleep(1);
  }
  const achieved = total / ((performance.now() - t0) / 1000);
  await sleep(1000);
  await pub.end();
  await mon.endAsync();
  const sorted = Float64Array.from(lat).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN, received: lat.length, sent: total, achieved };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Throughput {
  /** Median readings/s of each consumer over the rounds. */
  bare: number;
  service: number;
  /** service / bare of each round (both measured back to back). */
  ratios: number[];
}

/**
 * Readings/s of each consumer at one QoS, readings spread round-robin over `devices`. With
 * several rounds the consumers alternate which goes first, so a change in the shared machine's
 * load during the run falls on both; the ratio reported is the median of the rounds' ratios.
 */
async function throughput(url: string, qos: 0 | 1, n: number, devices: number, modes: ("bare" | "service")[], log: (s: string) => void, rounds = 1): Promise<Throughput> {
  const body = payloads(1000, 1);
  const rates: Record<"bare" | "service", number[]> = { bare: [], service: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) {
      const w = await Worker.start(mode === "bare" ? ["bare", url, String(qos)] : ["service", url, String(qos), String(FEATURES), "10000"]);
      const pub = await RawPublisher.connect(url, `bench-pub-${mode}-${process.pid}`);
      try {
        await pump(pub, w, Math.min(2000, n / 10), devices, qos, body); // warm-up: JIT, first models
        const r = await pump(pub, w, n, devices, qos, body);
        rates[mode].push(r.rate);
        log(`QoS ${qos} ${mode}, ${devices} devices: ${Math.round(r.rate)} readings/s (${n} in ${r.seconds.toFixed(2)} s)`);
      } finally {
        await pub.end();
        await w.stop();
      }
    }
  }
  const ratios = rates.bare.length === rates.service.length ? rates.service.map((v, i) => v / rates.bare[i]) : [];
  return { bare: median(rates.bare), service: median(rates.service), ratios };
}

const bench: BenchModule = {
  name: "mqtt",
  description: "end to end through Mosquitto: service vs bare MQTT.js subscriber, latency against an echo floor, RSS vs readings and devices",
  async run({ quick, log }) {
    const broker: Mosquitto = await startMosquitto();
    const url = broker.url;
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    try {
      const n = quick ? 3_000 : 100_000;
      // --quick: QoS 1 only (the service's default); a full run measures both.
      for (const qos of quick ? ([1] as const) : ([0, 1] as const)) {
        const rounds = quick ? 1 : 3;
        const t = await throughput(url, qos, n, 100, ["bare", "service"], log, rounds);
        details[`qos${qos}`] = t;
        const spread = t.ratios.length > 1 ? `; rounds ${t.ratios.map((r) => r.toFixed(2)).join(", ")}` : "";
        rows.push(
          { metric: `readings/s, QoS ${qos}, bare MQTT.js subscriber (counts only)`, value: Math.round(t.bare), unit: "/s", note: rounds > 1 ? `median of ${rounds}` : undefined },
          { metric: `readings/s, QoS ${qos}, edgelearn service, 100 devices (8-feature regression, prediction published)`, value: Math.round(t.service), unit: "/s", note: rounds > 1 ? `median of ${rounds}` : undefined },
          { metric: `ratio edgelearn / bare, QoS ${qos}`, value: Number(median(t.ratios).toFixed(2)), note: `goal ≥ 0.8${rounds > 1 ? `; median of ${rounds} back-to-back pairs` : ""}${spread}` },
        );
      }
      if (!quick) {
        // The same with 20 devices, all of which stay live (pool.hotInstances is 32): the
        // difference to 100 devices is the cost of swapping state blobs in and out.
        const t = await throughput(url, 1, n, 20, ["service"], log);
        details.qos1hot = t;
        rows.push({ metric: "readings/s, QoS 1, edgelearn service, 20 devices (all hot, no blob swaps)", value: Math.round(t.service), unit: "/s" });
      }

      // Latency, of the service and of an echo client (MQTT.js republishing each reading as it
      // arrives, no work) in the same run: the echo is this machine's and broker's floor, so the
      // service's own share is the difference. Each consumer gets a warm-up at the measured rate
      // first (JIT, first models, broker sessions): 2 s, 0.5 s quick. Mosquitto's default leaves
      // Nagle on for what it sends (predictions to subscribers); deploy/mosquitto/edgelearn.conf
      // turns it off (`set_tcp_nodelay true`). A full run measures 1,000/s on both, to show what
      // the setting is worth, and 5,000/s on the recommended one.
      const latencyRuns: [number, boolean][] = quick ? [[5000, true]] : [[1000, false], [1000, true], [5000, true]];
      for (const [rate, nodelay] of latencyRuns) {
        const b = nodelay ? await startMosquitto({ extraConf: ["set_tcp_nodelay true"] }) : broker;
        const seconds = quick ? 0.5 : 10;
        const at = `at ${rate.toLocaleString("en-US")} readings/s, Mosquitto ${nodelay ? "set_tcp_nodelay true" : "defaults (Nagle on)"}`;
        const measured: Record<string, Latency> = {};
        try {
          // --quick (a smoke test) measures the service only.
          for (const mode of quick ? (["service"] as const) : (["echo", "service"] as const)) {
            const lw = await Worker.start(mode === "echo" ? ["echo", b.url, "1"] : ["service", b.url, "1", String(FEATURES), "10000"]);
            try {
              await latency(b.url, rate, quick ? 0.5 : 2, 50);
              const l = await latency(b.url, rate, seconds, 50);
              measured[mode] = l;
              log(`latency ${mode} ${at}: p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms (${l.received}/${l.sent})`);
            } finally {
              await lw.stop();
            }
          }
        } finally {
          if (b !== broker) await b.cleanup();
        }
        details[`latency${rate}${nodelay ? "nodelay" : ""}`] = measured;
        const goal = rate === 1000 ? "goal p50 ≤ 1 ms, p99 ≤ 5 ms" : "goal p99 ≤ 10 ms";
        const { service: sv, echo: ec } = measured;
        const both = (f: (l: Latency) => number, digits: number) => `${f(sv).toFixed(digits)} / ${ec ? f(ec).toFixed(digits) : "–"}`;
        rows.push(
          { metric: `publish → prediction latency p50 ${at}, service / echo floor`, value: both((l) => l.p50, 2), unit: "ms" },
          { metric: `publish → prediction latency p99 ${at}, service / echo floor`, value: both((l) => l.p99, 2), unit: "ms", note: `${goal}; max ${both((l) => l.max, 1)} ms; ${sv.received} of ${sv.sent} predictions seen` },
        );
      }

      // Memory: the service without the broker (it would only add minutes), fed through
      // Service.handle, the path a message takes once MQTT.js has parsed it. A full run also
      // measures V8's default flags, to show what SERVICE_V8_FLAGS buys.
      const body = payloads(1000, 2);
      const variants: [string, string[]][] = quick ? [["", SERVICE_V8_FLAGS]] : [[", V8 defaults", []], ["", SERVICE_V8_FLAGS]];
      for (const [label, flags] of variants) {
        const rw = await Worker.start(["direct", "-", "1", String(FEATURES), "10000"], flags);
        try {
          const marks = quick ? [20_000] : [100_000, 1_000_000];
          let fed = 0;
          let feedMs = 0;
          const rss: number[] = [];
          const heapTotal: number[] = [];
          for (const mark of marks) {
            const t0 = performance.now();
            await rw.feed(mark - fed, 20, body);
            feedMs += performance.now() - t0;
            fed = mark;
            await rw.settle();
            const s = await rw.stats();
            rss.push(s.rss);
            heapTotal.push(s.heapTotal);
            log(`RSS after ${mark} readings${label}: ${(s.rss / MiB).toFixed(1)} MiB (heap ${(s.heapUsed / MiB).toFixed(1)} of ${(s.heapTotal / MiB).toFixed(1)} MiB)`);
            rows.push({ metric: `service RSS after ${mark.toLocaleString("en-US")} readings (20 devices, no broker${label})`, value: Number((s.rss / MiB).toFixed(1)), unit: "MiB", note: `heapTotal ${(s.heapTotal / MiB).toFixed(1)} MiB` });
          }
          const rate = fed / (feedMs / 1000);
          rows.push({ metric: `readings/s through Service.handle while measuring RSS (20 devices, no broker${label})`, value: Math.round(rate), unit: "/s" });
          if (rss.length === 2) {
            rows.push({ metric: `RSS growth from 100,000 to 1,000,000 readings${label}`, value: `${(((rss[1] - rss[0]) / rss[0]) * 100).toFixed(1)} %`, note: "goal within 10 %" });
          }
          details[`rss${label}`] = { flags, rss, heapTotal, readingsPerSecond: rate };
        } finally {
          await rw.stop();
        }
      }

      const dw = await Worker.start(["direct", "-", "1", String(FEATURES), "10000"]);
      try {
        const devices = 10_000;
        const perDevice = quick ? 1 : 10;
        await dw.feed(devices * perDevice, devices, body);
        await dw.settle();
        const s = await dw.stats();
        log(`RSS with ${devices} devices: ${(s.rss / MiB).toFixed(1)} MiB`);
        rows.push({ metric: "service RSS with 10,000 devices (8-feature regression each, no broker)", value: Number((s.rss / MiB).toFixed(1)), unit: "MiB", note: "goal ≤ 256 MiB" });
        details.devices = { devices, perDevice, rss: s.rss, processed: s.count };
      } finally {
        await dw.stop();
      }
    } finally {
      await broker.cleanup();
    }
    return { name: "mqtt", rows, details };
  },
};

export default bench;
