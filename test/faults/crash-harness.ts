// Crash trials against the real `edgelearn run` process: a publisher streams QoS 1 readings for
// a few devices through a real Mosquitto; the host is killed with SIGKILL at seeded random
// moments and restarted on the same SQLite file. After each kill, a copy of the database (with
// its hot WAL, exactly as the next start will find it) is opened and every device must restore
// from its newest checkpoint, with nothing skipped; after each restart, every device must learn
// again. Learning lost = readings the host had learned before the kill (what it restored plus
// one per prediction it published since) minus the readings in the restored state; it must not
// exceed one checkpoint interval. Used by test/faults/crash.test.ts (≥ 20 trials) and scripts/crash-soak.ts (200+).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { Prng } from "../../host/tools/sim/index.js";
import { startMosquitto, type Mosquitto } from "../helpers/mosquitto.js";
import { TS0, spawnHost, whatWouldRestore, writeHostConfig, type HostProcess } from "./host-process.js";

export interface CrashOptions {
  trials: number;
  seed: number;
  devices?: number;
  /** Checkpoint interval in readings (the loss bound). */
  everyReadings?: number;
  /** Readings per second per device. */
  rate?: number;
  /** Kill between these many ms after the host is learning again. */
  minMs?: number;
  maxMs?: number;
  log?: (msg: string) => void;
  /** Reuse a running broker (the soak script); default: start one. */
  broker?: Mosquitto;
}

export interface TrialResult {
  trial: number;
  /** From spawning the host to every device learning again. */
  resumeMs: number;
  killAfterMs: number;
  /** Per device: readings learned before the kill (as far as predictions showed) and restored. */
  learned: Record<string, number>;
  restored: Record<string, number>;
  /** max over devices of learned − restored. */
  loss: number;
}

export interface CrashReport {
  trials: TrialResult[];
  maxLoss: number;
  everyReadings: number;
  failures: string[];
  hostLog: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCrashTrials(o: CrashOptions): Promise<CrashReport> {
  const log = o.log ?? (() => {});
  const nDev = o.devices ?? 4;
  const every = o.everyReadings ?? 50;
  const rate = o.rate ?? 200;
  const rng = new Prng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-crash-"));
  const dbPath = join(dir, "state.db");
  const broker = o.broker ?? (await startMosquitto());
  const devices = Array.from({ length: nDev }, (_, i) => `crash${i}`);
  const configPath = writeHostConfig(dir, { url: broker.url, clientId: `edgelearn-crash-${o.seed}-${process.pid}`, dbPath, everyReadings: every });

  // What the host said it learned: one prediction per reading it gave its model (QoS 1
  // duplicates included, as they are in the model's count), counted per host life.
  let counts = new Map<string, number>();
  let lastMessageAt = 0;
  const sub = await mqtt.connectAsync(broker.url, { clientId: `crash-sub-${process.pid}`, clean: true });
  await sub.subscribeAsync("edgelearn/+/prediction", { qos: 0 });
  sub.on("message", (topic) => {
    lastMessageAt = Date.now();
    const dev = topic.split("/")[1];
    counts.set(dev, (counts.get(dev) ?? 0) + 1);
  });

  // The stream: QoS 1, round robin, at `rate` per device per second, kept up across host restarts.
  const pub = await mqtt.connectAsync(broker.url, { clientId: `crash-pub-${process.pid}`, clean: true });
  const noise = new Prng(o.seed ^ 0x5eed);
  let seq = 0;
  let publishing = true;
  const pump = (async () => {
    const period = 1000 / rate;
    const t0 = Date.now();
    while (publishing) {
      const due = Math.floor((Date.now() - t0) / period);
      for (; seq < due && publishing; seq++) {
        for (let i = 0; i < nDev; i++) {
          const a = Math.sin(seq * 0.01 + i);
          const b = Math.cos(seq * 0.007 * (i + 1));
          const y = 2 * a - b + 0.3 * i + noise.normal(0, 0.05);
          pub.publish(`sensors/${devices[i]}`, JSON.stringify({ ts: TS0 + seq, a, b, y }), { qos: 1 });
        }
      }
      await sleep(5);
    }
  })();

  const failures: string[] = [];
  const trials: TrialResult[] = [];
  let hostLog = "";
  // The model's reading count at the kill is what it restored plus the predictions seen since
  // (a lost prediction only makes the loss look smaller, never larger).
  let restored: Record<string, number> = Object.fromEntries(devices.map((d) => [d, 0]));
  let host: HostProcess | undefined;
  try {
    for (let trial = 1; trial <= o.trials; trial++) {
      counts = new Map();
      const spawned = Date.now();
      const h = (host = spawnHost(configPath));
      // Wait until every device learns again after the restart.
      const deadline = Date.now() + 15_000;
      while (counts.size < nDev && Date.now() < deadline && h.child.exitCode === null) await sleep(10);
      const resumeMs = Date.now() - spawned;
      if (counts.size < nDev) {
        failures.push(`trial ${trial}: only ${counts.size}/${nDev} devices learned after the restart (exit ${h.child.exitCode}): ${h.log().slice(-2000)}`);
        h.child.kill("SIGKILL");
        await h.exited;
        break;
      }
      if (/could not be read|refused by the module|is damaged|no checkpoint is valid/.test(h.log())) {
        failures.push(`trial ${trial}: the host reported a damaged state on restart: ${h.log().slice(-2000)}`);
      }
      const killAfterMs = Math.round(rng.range(o.minMs ?? 100, o.maxMs ?? 700));
      await sleep(killAfterMs);
      h.child.kill("SIGKILL");
      await h.exited;
      hostLog = h.log();
      // Predictions already on the wire still arrive (nothing new can): drain them, so none is
      // mistaken for the next host's first.
      for (const until = Date.now() + 5000; Date.now() - lastMessageAt < 300 && Date.now() < until; ) await sleep(20);
      // What the next start will find.
      const found = whatWouldRestore(dbPath, devices, join(dir, "copy.db"));
      if (found.problems.length) failures.push(`trial ${trial}: store problems: ${found.problems.join("; ")}`);
      const learned: Record<string, number> = {};
      const now: Record<string, number> = {};
      let loss = 0;
      for (const dev of devices) {
        const f = found.devices[dev];
        if (f.skipped.length) failures.push(`trial ${trial}: device ${dev}: checkpoints skipped on restore ${JSON.stringify(f.skipped)}`);
        // No state at all is right only before the device's first checkpoint (the loss check below).
        now[dev] = f.readings ?? 0;
        learned[dev] = restored[dev] + (counts.get(dev) ?? 0);
        loss = Math.max(loss, learned[dev] - now[dev]);
      }
      restored = { ...restored, ...now };
      trials.push({ trial, resumeMs, killAfterMs, learned, restored: now, loss });
      log(`trial ${trial}: learning ${resumeMs} ms after start, killed ${killAfterMs} ms later; loss ${loss} readings (bound ${every}); restored ${JSON.stringify(now)}`);
      if (loss > every) failures.push(`trial ${trial}: lost ${loss} readings of learning > one checkpoint interval (${every})`);
    }
  } finally {
    if (host && host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGKILL");
    publishing = false;
    await pump;
    await pub.endAsync();
    await sub.endAsync();
    if (!o.broker) await broker.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return { trials, maxLoss: Math.max(0, ...trials.map((t) => t.loss)), everyReadings: every, failures, hostLog };
}
