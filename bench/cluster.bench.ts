// Cluster mode on NATS JetStream (host/cluster/): readings/s of 1 and 2 workers draining a
// preloaded stream, against the single-host path measured in the same run (`edgelearn run` on
// Mosquitto draining the same readings queued in its persistent session), the learning step
// in-process, handover time of 10,000 devices after a kill -9, and KV checkpoint writes/s.
// Everything runs on this machine: nats-server (one node, file storage, its MQTT listener for
// the workers' retained health), Mosquitto, edgelearn processes as children.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import mqtt from "mqtt";
import { natsServerPath, startNatsCluster, type NatsCluster } from "../test/helpers/nats.js";
import { mosquittoPath, startMosquitto } from "../test/helpers/mosquitto.js";
import { BIN } from "../test/faults/host-process.js";
import { partitionOf } from "../host/cluster/names.js";
import { encodeCheckpoint } from "../host/cluster/checkpoint.js";
import { ClusterLearner } from "../host/cluster/learn.js";
import { defaultConfig } from "../host/config/load.js";
import { compileLearner } from "../host/learner/index.js";
import { silentLogger } from "../host/logger.js";
import type { BenchModule, BenchRow } from "./types.js";

const P = 16;
const SUBJECT = "edgelearn_in";

function payload(d: number, i: number): string {
  const x = Math.sin(d * 7.1 + i * 0.37) * 10;
  return JSON.stringify({ x: +x.toFixed(3), y: +(2 * x + 1).toFixed(3) });
}

/** What every measured edgelearn process shares: model, pool, health every second, no HTTP. */
const COMMON = {
  model: { task: "regression", target: "y", features: ["x"] },
  pool: { maxDevices: 200_000, hotInstances: 256 },
  output: { healthIntervalSeconds: 1 },
  http: { enabled: false },
  log: { level: "info" },
};

function workerConfig(dir: string, nats: NatsCluster, name: string, leaseSeconds = 3, streams = 1): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      ...COMMON,
      // The contract as users get it: retained device health through nats-server's MQTT listener.
      mqtt: { url: nats.nodes[0].mqttUrl, clientId: "bench" },
      cluster: { servers: nats.servers, name, partitions: P, streams, replicas: 1, leaseSeconds, checkpointSeconds: 5, maxInflight: 1024 },
    }),
  );
  return path;
}

/**
 * When a count reached `n`, from samples (time, count) taken as health messages arrive (about
 * once a second): interpolated at the rate of the samples before it, so the 1 s health period
 * does not round the drain time up.
 */
class Progress {
  private readonly samples: { t: number; total: number }[] = [];
  add(total: number): void {
    this.samples.push({ t: performance.now(), total });
  }
  reached(n: number): boolean {
    return (this.samples.at(-1)?.total ?? 0) >= n;
  }
  /** Seconds from t0 to the moment the count reached n. */
  seconds(t0: number, n: number): number {
    const i = this.samples.findIndex((s) => s.total >= n);
    const before = this.samples.slice(0, i).filter((s) => s.total > 0);
    if (i < 0 || before.length < 2) return ((i < 0 ? performance.now() : this.samples[i].t) - t0) / 1000;
    const a = before[0];
    const b = before.at(-1)!;
    const rate = (b.total - a.total) / (b.t - a.t);
    return (Math.min(this.samples[i].t, b.t + (n - b.total) / rate) - t0) / 1000;
  }
}

interface Proc {
  child: ChildProcess;
  log(): string;
}
function spawnWorker(config: string): Proc {
  const child = spawn(process.execPath, [BIN, "run", "--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (b) => (err += b));
  return { child, log: () => err };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Publishes n readings over devices into the stream (as nats-server's mapping would), acked by JetStream. */
async function preload(nc: NatsConnection, devices: number, n: number): Promise<void> {
  const js = jetstream(nc);
  let inflight: Promise<unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const d = k % devices;
    const name = `dev-${d}`;
    inflight.push(js.publish(`${SUBJECT}.${partitionOf(name, P)}.${name}`, payload(d, Math.floor(k / devices))));
    if (inflight.length >= 2000) {
      await Promise.all(inflight);
      inflight = [];
    }
  }
  await Promise.all(inflight);
}

/** Sum of `readings` over the workers' latest health messages. */
function healthWatch(nc: NatsConnection): { readings(): number; checkpoints(): number; progress: Progress } {
  const last = new Map<string, { readings: number; checkpoints: number }>();
  const progress = new Progress();
  const sum = (k: "readings" | "checkpoints") => [...last.values()].reduce((a, h) => a + h[k], 0);
  nc.subscribe("edgelearn.worker.*.health", {
    callback: (_e, m) => {
      const h = m.json<{ worker: string; readings: number; checkpoints: number }>();
      last.set(h.worker, h);
      progress.add(sum("readings"));
    },
  });
  return { readings: () => sum("readings"), checkpoints: () => sum("checkpoints"), progress };
}

async function drain(bin: string, workers: number, devices: number, n: number, log: (s: string) => void, streams = 1): Promise<{ rate: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-bench-cluster-"));
  const nats: NatsCluster = await startNatsCluster(bin, { nodes: 1, partitions: P });
  const procs: Proc[] = [];
  try {
    // The first worker creates the stream and buckets, then stops; the readings are loaded before any worker reads.
    const setup = spawnWorker(workerConfig(dir, nats, "setup", 3, streams));
    await until(() => /owned/.test(setup.log()), 30_000, "setup worker").catch((e) => {
      throw new Error(`${(e as Error).message}: ${setup.log()}`);
    });
    setup.child.kill("SIGTERM");
    await new Promise((r) => setup.child.once("exit", r));
    const nc = await connect({ servers: nats.servers });
    await preload(nc, devices, n);
    log(`${workers} worker(s), ${streams} stream(s): ${n} readings of ${devices} devices preloaded`);
    const watch = healthWatch(nc);
    for (let i = 0; i < workers; i++) procs.push(spawnWorker(workerConfig(dir, nats, `w${i}`, 3, streams)));
    // Timed from the first partition owned (process start and joining are not reading throughput).
    await until(() => procs.some((p) => /owned/.test(p.log())), 60_000, "a partition owned");
    const t0 = performance.now();
    await until(() => watch.readings() >= n, 600_000, "drain");
    const seconds = watch.progress.seconds(t0, n);
    await nc.close();
    return { rate: n / seconds, seconds };
  } finally {
    for (const p of procs) p.child.kill("SIGKILL");
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function handover(bin: string, devices: number, log: (s: string) => void): Promise<{ total: number; load: number; lease: number }> {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-bench-cluster-"));
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  const procs: Proc[] = [];
  const lease = 3;
  try {
    const a = spawnWorker(workerConfig(dir, nats, "a", lease));
    procs.push(a);
    await until(() => (a.log().match(/owned/g) ?? []).length === P, 30_000, "a owns all");
    const nc = await connect({ servers: nats.servers });
    const watch = healthWatch(nc);
    await preload(nc, devices, devices);
    await until(() => watch.checkpoints() >= devices, 120_000, "a's checkpoints").catch((e) => {
      throw new Error(`${(e as Error).message} (${watch.checkpoints()} of ${devices}): ${a.log().slice(-1500)}`);
    });
    log(`handover: ${devices} devices checkpointed by worker a; kill -9`);
    a.child.kill("SIGKILL");
    const killed = performance.now();
    const b = spawnWorker(workerConfig(dir, nats, "b", lease));
    procs.push(b);
    let firstOwned = 0;
    await until(
      () => {
        const k = (b.log().match(/owned/g) ?? []).length;
        if (k > 0 && !firstOwned) firstOwned = performance.now();
        return k === P;
      },
      120_000,
      "b owns all",
    );
    const done = performance.now();
    await nc.close();
    return { total: (done - killed) / 1000, load: (done - firstOwned) / 1000, lease };
  } finally {
    for (const p of procs) p.child.kill("SIGKILL");
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The single-host path on the same readings: `edgelearn run` on Mosquitto (MQTT 5, persistent
 * session, QoS 1, SQLite checkpoints: the defaults). The service subscribes once and stops, the
 * readings are queued in its session, and it drains them when started again: timed from its
 * connect to the last reading counted in its host health.
 */
async function singleHostDrain(devices: number, n: number, log: (s: string) => void): Promise<{ rate: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-bench-single-"));
  mkdirSync(join(dir, "broker"));
  const broker = await startMosquitto({ dir: join(dir, "broker") });
  const config = join(dir, "single.json");
  writeFileSync(config, JSON.stringify({ ...COMMON, mqtt: { url: broker.url, clientId: "bench-single" }, input: { qos: 1 }, store: { type: "sqlite", path: join(dir, "models.db") } }));
  const procs: Proc[] = [];
  let pub: mqtt.MqttClient | undefined;
  try {
    const first = spawnWorker(config);
    procs.push(first);
    await until(() => /subscribed to/.test(first.log()), 30_000, "single-host service subscribed");
    first.child.kill("SIGTERM");
    await new Promise((r) => first.child.once("exit", r));
    pub = mqtt.connect(broker.url, { protocolVersion: 4, clientId: "bench-single-pub", reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      pub!.once("connect", () => resolve());
      pub!.once("error", reject);
    });
    for (let k = 0; k < n; k += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, n - k) }, (_, j) => {
          const d = (k + j) % devices;
          return pub!.publishAsync(`sensors/dev-${d}`, payload(d, Math.floor((k + j) / devices)), { qos: 1 });
        }),
      );
    }
    log(`single host: ${n} readings of ${devices} devices queued in the service's Mosquitto session`);
    const progress = new Progress();
    let readings = 0;
    await pub.subscribeAsync("edgelearn/health", { qos: 0 });
    pub.on("message", (_t, body) => {
      if (body.length === 0) return;
      readings = (JSON.parse(body.toString()) as { readings: number }).readings;
      progress.add(readings);
    });
    const svc = spawnWorker(config);
    procs.push(svc);
    await until(() => /connected to/.test(svc.log()), 30_000, "single-host service connected");
    const t0 = performance.now();
    await until(() => progress.reached(n), 600_000, `single-host drain (${readings} of ${n})`);
    const seconds = progress.seconds(t0, n);
    return { rate: n / seconds, seconds };
  } finally {
    await pub?.endAsync();
    for (const p of procs) p.child.kill("SIGKILL");
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function kvWrites(bin: string, n: number): Promise<number> {
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  try {
    const nc = await connect({ servers: nats.servers });
    const kv = await new Kvm(nc).create("bench_models", { history: 1 });
    const value = encodeCheckpoint(1, new Uint8Array(1040).fill(7));
    const revs = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < n; i += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, n - i) }, async (_, j) => {
          const key = `d.0.dev-${(i + j) % 2000}`;
          const r = revs.get(key);
          revs.set(key, r ? await kv.update(key, value, r) : await kv.create(key, value));
        }),
      );
    }
    const rate = n / ((performance.now() - t0) / 1000);
    await nc.close();
    return rate;
  } finally {
    await nats.stop();
  }
}

/** The same learning step in-process, no NATS: what a reading costs without the cluster around it. */
function inProcess(devices: number, n: number): number {
  const cfg = defaultConfig();
  cfg.model = { task: "regression", target: "y", features: ["x"], params: {}, ranges: {} };
  const l = new ClusterLearner(cfg, silentLogger, compileLearner());
  const bodies = Array.from({ length: 64 }, (_, i) => Buffer.from(payload(i, i)));
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    const name = `dev-${k % devices}`;
    const d = l.device(name, 0)!;
    l.reading(d, bodies[k & 63], k + 1, 0, undefined);
  }
  return n / ((performance.now() - t0) / 1000);
}

const bench: BenchModule = {
  name: "cluster",
  description: "Cluster mode on NATS JetStream: readings/s with 1 and 2 workers, cost per reading, handover of 10,000 devices, KV writes/s",
  async run({ quick, log }) {
    const bin = natsServerPath();
    if (!bin) return { name: "cluster", rows: [{ metric: "nats-server", value: "not installed (apt-get install nats-server)" }] };
    // --quick (a smoke test; the whole suite in well under a minute): one small drain and the KV rate only.
    const devices = quick ? 200 : 1000;
    const n = quick ? 2000 : 100_000;
    const rows: BenchRow[] = [];
    const base = inProcess(devices, n);
    rows.push({ metric: `readings/s, learning step in-process (no NATS), ${devices} devices`, value: Math.round(base), unit: "/s" });
    const one = await drain(bin, 1, devices, n, log);
    rows.push({ metric: `readings/s, 1 worker draining ${n} readings (1 NATS node, P=${P})`, value: Math.round(one.rate), unit: "/s" });
    rows.push({ metric: "cluster cost per reading, 1 worker", value: +(1e6 / one.rate).toFixed(1), unit: "µs", note: `in-process learning step: ${(1e6 / base).toFixed(1)} µs` });
    if (mosquittoPath()) {
      const single = await singleHostDrain(devices, n, log);
      rows.push({ metric: `readings/s, single host on Mosquitto draining the same ${n} readings (QoS 1, SQLite)`, value: Math.round(single.rate), unit: "/s" });
      rows.push({
        metric: "cluster overhead per reading, 1 worker vs single host (same run)",
        value: +(1e6 / one.rate - 1e6 / single.rate).toFixed(1),
        unit: "µs",
        note: `${(single.rate / one.rate).toFixed(2)}× the single host's time per reading (${(1e6 / single.rate).toFixed(1)} µs)`,
      });
    } else rows.push({ metric: "single host on Mosquitto", value: "not measured: mosquitto not installed" });
    if (!quick) {
      const two = await drain(bin, 2, devices, n, log);
      rows.push({ metric: `readings/s, 2 workers (same machine)`, value: Math.round(two.rate), unit: "/s", note: `${(two.rate / one.rate).toFixed(2)}× one worker` });
      // Partitions over 4 streams (p in stream p mod 4): on one node this shows the cost of the
      // spread, not its gain (four leaders on four servers is what it is for).
      const spread = await drain(bin, 2, devices, n, log, 4);
      rows.push({ metric: `readings/s, 2 workers, partitions over 4 streams`, value: Math.round(spread.rate), unit: "/s", note: `${(spread.rate / two.rate).toFixed(2)}× one stream` });
      const hdev = 10_000;
      const h = await handover(bin, hdev, log);
      rows.push({ metric: `handover of ${hdev} devices after kill -9 (lease ${h.lease} s)`, value: +h.total.toFixed(2), unit: "s", note: `of which taking and loading the partitions: ${h.load.toFixed(2)} s` });
    }
    const kw = await kvWrites(bin, quick ? 1000 : 20_000);
    rows.push({ metric: "KV checkpoint writes/s (1,056-byte values, expected revision, 64 in flight)", value: Math.round(kw), unit: "/s" });
    return { name: "cluster", rows, details: { devices, readings: n, partitions: P } };
  },
};

export default bench;
