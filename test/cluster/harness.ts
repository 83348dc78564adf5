// Cluster-mode test kit: worker processes (`edgelearn run` with a cluster section), an MQTT
// publisher of deterministic readings, the single-process reference (the same readings of each
// device learned in order on one Learner, as `edgelearn replay` does) and a wait for every
// device's checkpoint in the models bucket.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { Learner } from "../../host/learner/index.js";
import { modelSpec } from "../../host/devices/model.js";
import { decodeCheckpoint } from "../../host/cluster/checkpoint.js";
import { modelKey, partitionOf } from "../../host/cluster/names.js";
import { BIN } from "../faults/host-process.js";
import { requireNatsServer, startNatsCluster, type NatsCluster } from "../helpers/nats.js";
import { tempDir } from "../helpers/tmp.js";
import type { TestContext } from "node:test";

export const MODEL = { task: "regression" as const, target: "y", features: ["x"], params: {}, ranges: {} };

export interface WorkerOptions {
  servers: string[];
  name: string;
  partitions: number;
  replicas: number;
  leaseSeconds?: number;
  /** nats-server's MQTT listener for retained health and status; without it cluster.mqtt is off. */
  mqttUrl?: string;
  /** cluster.streams (default 1). */
  streams?: number;
}

export interface ReplicatedCluster {
  nats: NatsCluster;
  /** Starts a worker on the stream and buckets with three replicas (connecting to `servers`,
   *  every node by default); the test kills it with SIGKILL when it ends, if it still runs. */
  start(name: string, servers?: string[]): Worker;
}

/** A 3-node NATS cluster for partitions 0..P−1 (undefined when nats-server is missing: skipped). */
export async function replicatedCluster(t: TestContext, dirName: string, partitions: number): Promise<ReplicatedCluster | undefined> {
  const bin = requireNatsServer(t);
  if (!bin) return undefined;
  const dir = tempDir(dirName);
  const nats = await startNatsCluster(bin, { nodes: 3, partitions });
  t.after(() => nats.stop());
  const workers: Worker[] = [];
  t.after(() => workers.forEach((w) => kill(w, "SIGKILL")));
  const start = (name: string, servers = nats.servers) => {
    const w = spawnWorker(writeWorkerConfig(dir, { servers, name, partitions, replicas: 3 }), name);
    workers.push(w);
    return w;
  };
  return { nats, start };
}

export function writeWorkerConfig(dir: string, o: WorkerOptions): string {
  const path = join(dir, `${o.name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      model: { task: MODEL.task, target: MODEL.target, features: MODEL.features },
      cluster: {
        servers: o.servers,
        name: o.name,
        partitions: o.partitions,
        ...(o.streams ? { streams: o.streams } : {}),
        replicas: o.replicas,
        leaseSeconds: o.leaseSeconds ?? 3,
        checkpointSeconds: 0.5,
        maxInflight: 256,
        mqtt: o.mqttUrl !== undefined,
      },
      ...(o.mqttUrl ? { mqtt: { url: o.mqttUrl, clientId: "edgelearn-test" } } : {}),
      output: { healthIntervalSeconds: 1 },
      log: { level: "info" },
    }),
  );
  return path;
}

export interface Worker {
  name: string;
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

/** Starts `edgelearn run` on the config; `clock` (libfaketime's path and an offset such as
 *  "-1h") shifts the worker's wall clock, not its monotonic one. The library is preloaded into
 *  the worker itself (the faketime command would stand between: a kill would miss the worker). */
export function spawnWorker(configPath: string, name = "", clock?: { libfaketime: string; offset: string }): Worker {
  const env = clock ? { ...process.env, LD_PRELOAD: clock.libfaketime, FAKETIME: clock.offset, FAKETIME_DONT_FAKE_MONOTONIC: "1" } : process.env;
  const child = spawn(process.execPath, [BIN, "run", "--config", configPath], { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { name, child, log: () => stderr, exited };
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reading i of a device: x from a fixed sequence, y = 2x + 1 plus a wobble (deterministic). */
export function reading(device: number, i: number): { x: number; y: number } {
  const x = Math.sin(device * 7.1 + i * 0.37) * 10;
  return { x: Math.round(x * 1000) / 1000, y: Math.round((2 * x + 1 + Math.cos(i) * 0.1) * 1000) / 1000 };
}

export const deviceName = (d: number) => `dev-${d}`;

/** Publishes readings [from, to) of every device over MQTT 3.1.1 at QoS 1, device-interleaved, `perTick` at a time. */
export class Publisher {
  private constructor(private readonly c: mqtt.MqttClient) {}
  static async open(url: string): Promise<Publisher> {
    const c = mqtt.connect(url, { protocolVersion: 4, clientId: `pub-${process.pid}-${Date.now()}`, reconnectPeriod: 200 });
    await new Promise<void>((resolve, reject) => {
      c.once("connect", () => resolve());
      c.once("error", reject);
    });
    return new Publisher(c);
  }
  async publish(devices: number, from: number, to: number, pauseMs = 0, perPause = 200): Promise<void> {
    let n = 0;
    for (let i = from; i < to; i++) {
      for (let d = 0; d < devices; d++) {
        await this.c.publishAsync(`sensors/${deviceName(d)}`, JSON.stringify(reading(d, i)), { qos: 1 });
        if (pauseMs && ++n % perPause === 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    }
  }
  async close(): Promise<void> {
    await this.c.endAsync();
  }
}

/** The blob one Learner reaches on readings [0, n) of the device, in order. */
export function referenceBlob(device: number, n: number): Uint8Array {
  const spec = modelSpec(MODEL, MODEL.features);
  if (Array.isArray(spec)) throw new Error(spec.join("; "));
  const l = new Learner();
  l.create(spec.kind, spec.nFeatures, spec.config);
  for (let i = 0; i < n; i++) {
    const r = reading(device, i);
    l.input[0] = r.x;
    l.raw.learn_one(r.y);
  }
  return l.snapshot();
}

export class ModelsReader {
  private constructor(
    readonly nc: NatsConnection,
    private readonly kv: Awaited<ReturnType<Kvm["open"]>>,
    private readonly partitions: number,
  ) {}
  static async open(servers: string[], partitions: number, bucket = "edgelearn_models"): Promise<ModelsReader> {
    const nc = await connect({ servers, maxReconnectAttempts: -1 });
    return new ModelsReader(nc, await new Kvm(nc).open(bucket), partitions);
  }
  async blob(device: number): Promise<Uint8Array | undefined> {
    const name = deviceName(device);
    const e = await this.kv.get(modelKey(partitionOf(name, this.partitions), name));
    if (!e || e.operation !== "PUT") return undefined;
    const cp = decodeCheckpoint(e.value);
    return typeof cp === "string" ? undefined : cp.blob;
  }
  /** Devices whose checkpoint differs from the reference (empty: all equal). */
  async mismatches(devices: number, n: number, refs: Uint8Array[]): Promise<number[]> {
    const bad: number[] = [];
    for (let d = 0; d < devices; d++) {
      const b = await this.blob(d).catch(() => undefined);
      if (!b || Buffer.compare(Buffer.from(b), Buffer.from(refs[d])) !== 0) bad.push(d);
    }
    return bad;
  }
  /** For a failure message: each device's checkpoint (stream sequence, readings in its blob). */
  async describe(devices: number[]): Promise<string> {
    const lines: string[] = [];
    for (const d of devices) {
      const name = deviceName(d);
      const e = await this.kv.get(modelKey(partitionOf(name, this.partitions), name)).catch((err: Error) => err);
      if (e instanceof Error || !e || e.operation !== "PUT") {
        lines.push(`${name}: no checkpoint (${e instanceof Error ? e.message : "none"})`);
        continue;
      }
      const cp = decodeCheckpoint(e.value);
      if (typeof cp === "string") {
        lines.push(`${name}: unreadable checkpoint (${cp})`);
        continue;
      }
      const l = new Learner();
      const readings = l.load(cp.blob) === 0 ? l.raw.get_count(0) : NaN;
      lines.push(`${name}: partition ${partitionOf(name, this.partitions)}, checkpoint at stream sequence ${cp.seq}, ${readings} readings in its blob`);
    }
    return lines.join("\n");
  }
  async close(): Promise<void> {
    await this.nc.close();
  }
}

/**
 * Waits until the readings stream holds `count` messages. The publisher's QoS 1 acknowledgement
 * comes from the nats-server it is connected to, not from the stream: a test that kills a NATS
 * node right after publishing waits for this first, so a reading still on its way to the
 * stream's leader cannot go down with the node (the workers' guarantee starts at the stream).
 */
export async function waitForStream(nc: NatsConnection, count: number, timeoutMs: number, stream = "EDGELEARN_READINGS"): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: 2000 });
  const until = Date.now() + timeoutMs;
  let seen = -1;
  for (;;) {
    seen = await jsm.streams
      .info(stream)
      .then((i) => i.state.messages)
      .catch(() => seen);
    if (seen >= count) return;
    if (Date.now() > until) throw new Error(`stream ${stream} holds ${seen} of the ${count} readings published`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Publishes readings [0, n) of `devices` devices through the first node's MQTT listener, then waits
 * until every device's checkpoint is the single-process replay; on a timeout fails with each
 * differing device's checkpoint and the worker's log. The reader is closed when the test ends.
 */
export async function publishAndExpectReplay(t: TestContext, nats: NatsCluster, w: Worker, o: { devices: number; n: number; partitions: number; timeoutMs: number }): Promise<ModelsReader> {
  const { devices, n } = o;
  const pub = await Publisher.open(nats.nodes[0].mqttUrl);
  await pub.publish(devices, 0, n);
  await pub.close();
  const refs = Array.from({ length: devices }, (_, d) => referenceBlob(d, n));
  const models = await ModelsReader.open(nats.servers, o.partitions);
  t.after(() => models.close());
  let bad: number[] = [];
  await waitFor("every device checkpointed with all its readings", async () => (bad = await models.mismatches(devices, n, refs)).length === 0, o.timeoutMs).catch(async () => {
    assert.deepEqual(bad, [], `devices whose model differs from the replay (expected ${n} readings each)\n${await models.describe(bad)}\n--- ${w.name || "worker"}\n${logForFailure(w)}`);
  });
  return models;
}

/** A worker's log for a failure message: every error line (an internal error on one reading can
 * be long before the end), then the tail. */
export function logForFailure(w: Worker, tail = 3000): string {
  const errors = w.log().split("\n").filter((l) => / error /.test(l));
  return `${errors.length ? `error lines (${errors.length}):\n${errors.slice(0, 40).join("\n").slice(0, 6000)}\n... tail:\n` : ""}${w.log().slice(-tail)}`;
}

/** How many times the worker logged taking a partition. */
export const owned = (w: Worker) => (w.log().match(/partition \d+: owned/g) ?? []).length;

/** Partitions the worker holds now, from its log: taken less given back and lost. */
export function holding(w: Worker): number {
  const n = (re: RegExp) => (w.log().match(re) ?? []).length;
  return owned(w) - n(/partition \d+: released/g) - n(/partition \d+: lost/g);
}

export function kill(w: Worker, sig: NodeJS.Signals): void {
  if (w.child.exitCode === null) w.child.kill(sig);
}
