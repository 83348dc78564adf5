// The soak: readings through a real Mosquitto into the real `edgelearn run` process, with faults
// injected on a schedule, and an exact count at the end.
//
//   stream    QoS 1 readings round robin over `devices` devices (MQTT.js, at most 200 awaiting
//             the broker's PUBACK); 1 message in 100 is a bad payload (malformed, wrong type,
//             missing field), which must be refused and never learned.
//   faults    SIGTERM + restart of the service (at 10 %, 40 %, 70 % of the stream), broker
//             restarts (SIGTERM, persistence on; at 25 %, 55 %, 85 %), and the store's disk full
//             for 12 s from 30 % (a tmpfs filled to the last block; needs mount rights, else
//             reported as not run).
//   count     after the stream, the service drains the broker's queue and stops; the newest
//             checkpoint of every device says how many readings its model took. Per device:
//             lost = published − learned when positive, learned twice = learned − published when
//             positive. RSS of the service process is sampled every second.

import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { startMosquitto } from "../../test/helpers/mosquitto.js";
import { TS0, spawnHost, whatWouldRestore, writeHostConfig, type HostProcess } from "../../test/faults/host-process.js";

export interface SoakOptions {
  readings: number;
  devices: number;
  /** One service restart and one broker restart, no full disk (the --quick smoke test). */
  light?: boolean;
  log: (m: string) => void;
}

export interface SoakReport {
  readings: number;
  devices: number;
  badPayloads: number;
  seconds: number;
  readingsPerSecond: number;
  lost: number;
  learnedTwice: number;
  /** Readings the publisher had in flight when the broker went down (MQTT.js resends them: QoS 1 may deliver them twice). */
  publisherInFlightAtBrokerStops: number;
  serviceRestarts: number;
  brokerRestarts: number;
  diskFull: "injected" | "not run (no mount rights)" | "not run (light)";
  /** A checkpoint failed (and was reported) while the disk was full; false: every write found room (WAL, freed pages). */
  diskFullReported: boolean;
  checkpointsResumed: boolean;
  stopMs: number[];
  /** "stopping" → "stopped" per stop, from the service's log. */
  hostStopMs: number[];
  /** Stops that had to cut the connection (the broker did not acknowledge the last outputs in time). */
  forcedStops: number;
  /** Redelivered readings refused as duplicates (log lines; rate-limited, so a lower bound). */
  duplicatesRefused: number;
  rssMiB: { t: number; mib: number }[];
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function tryMount(dir: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

function fill(file: string): void {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(1 << 16, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // the disk is full
  } finally {
    closeSync(fd);
  }
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log;
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-soak-"));
  const mnt = join(dir, "store");
  mkdirSync(mnt);
  // light: no full disk (it has to last a whole checkpoint round, seconds the smoke test lacks).
  const mounted = !o.light && tryMount(mnt);
  const dbPath = join(mnt, "state.db");
  const filler = join(mnt, "filler");
  const broker = await startMosquitto({ persistence: true, dir: join(dir, "broker") }).catch(async () => {
    mkdirSync(join(dir, "broker"), { recursive: true });
    return startMosquitto({ persistence: true, dir: join(dir, "broker") });
  });
  const devices = Array.from({ length: o.devices }, (_, i) => `soak${i}`);
  const configPath = writeHostConfig(dir, { url: broker.url, clientId: `edgelearn-soak-${process.pid}`, dbPath, everyReadings: 2000, everySeconds: 5 });
  const failures: string[] = [];
  const stopMs: number[] = [];
  const rss: { t: number; mib: number }[] = [];
  const published = new Map<string, number>();
  let host: HostProcess = spawnHost(configPath);
  const hostLogs: string[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    const m = rssMiB(host.child.pid);
    if (m !== undefined) rss.push({ t: Math.round((Date.now() - t0) / 1000), mib: Math.round(m * 10) / 10 });
  }, 1000);
  const waitSubscribed = async (h: HostProcess) => {
    for (const until = Date.now() + 30_000; !/subscribed to/.test(h.log()) && Date.now() < until; ) await sleep(20);
  };
  await waitSubscribed(host);

  // The stream.
  const pub = mqtt.connect(broker.url, { clientId: `soak-pub-${process.pid}`, clean: false, reconnectPeriod: 200, protocolVersion: 5 });
  await new Promise<void>((r) => pub.once("connect", () => r()));
  // Pace the stream to the service (a broker queue of at most ~5,000 readings), so the faults
  // below hit a service that is busy learning, not one far behind a publisher that is done.
  const watch = await mqtt.connectAsync(broker.url, { clientId: `soak-watch-${process.pid}`, clean: true, reconnectPeriod: 200 });
  let predicted = 0;
  let lastPrediction = Date.now();
  watch.on("message", () => {
    predicted++;
    lastPrediction = Date.now();
  });
  const watchSub = () => void watch.subscribe("edgelearn/+/prediction", { qos: 0 });
  watch.on("connect", watchSub);
  watchSub();
  let sent = 0;
  let validSent = 0;
  let acked = 0;
  let bad = 0;
  let inFlightAtStops = 0;
  const total = o.readings;
  let i = 0;
  const pump = (async () => {
    while (i < total) {
      if (sent - acked >= 200 || !pub.connected || (validSent - predicted > 5000 && Date.now() - lastPrediction < 15_000)) {
        await sleep(1);
        continue;
      }
      if (i % 100 === 99) {
        const junk = [`{"a": ${i}, "b":`, JSON.stringify({ a: "x", b: 1, y: 1 }), JSON.stringify({ b: 1, y: 2 }), "[1,2,3]"][bad % 4];
        bad++;
        sent++;
        pub.publish(`sensors/${devices[i % devices.length]}`, junk, { qos: 1 }, (e) => void (e || acked++));
      }
      const d = devices[i % devices.length];
      const a = Math.sin(i * 0.001);
      const b = Math.cos(i * 0.0007);
      sent++;
      validSent++;
      published.set(d, (published.get(d) ?? 0) + 1);
      pub.publish(`sensors/${d}`, JSON.stringify({ ts: TS0 + i, a, b, y: 2 * a - b }), { qos: 1 }, (e) => void (e || acked++));
      i++;
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
  })();

  const at = (frac: number) => async () => {
    while (i < total * frac) await sleep(50);
  };
  let serviceRestarts = 0;
  let brokerRestarts = 0;
  let diskFullReported = false;
  let checkpointsResumed = false;
  const restartService = async () => {
    const t = Date.now();
    host.child.kill("SIGTERM");
    const code = await host.exited;
    stopMs.push(Date.now() - t);
    if (code !== 0) failures.push(`service exited ${code} on SIGTERM`);
    hostLogs.push(host.log());
    host = spawnHost(configPath);
    await waitSubscribed(host);
    serviceRestarts++;
    log(`service restarted at ${i} readings (stop took ${stopMs.at(-1)} ms)`);
  };
  const restartBroker = async () => {
    inFlightAtStops += sent - acked;
    await broker.stop();
    await sleep(300);
    await broker.start();
    brokerRestarts++;
    log(`broker restarted at ${i} readings`);
  };
  const schedule: [number, () => Promise<void>][] = [
    [0.1, restartService],
    [0.25, restartBroker],
    [
      0.3,
      async () => {
        if (!mounted) return;
        fill(filler);
        log(`store disk full at ${i} readings`);
      },
    ],
    [
      0.3,
      async () => {
        if (!mounted) return;
        // full for at least two periodic checkpoint rounds (everySeconds 5)
        await sleep(12_000);
        diskFullReported = /checkpoint failed/.test(host.log());
        rmSync(filler);
        log(`store disk space back at ${i} readings`);
      },
    ],
    [0.4, restartService],
    [0.55, restartBroker],
    [0.7, restartService],
    [0.85, restartBroker],
  ];
  for (const [frac, fault] of o.light ? schedule.slice(0, 2) : schedule) {
    await at(frac)();
    await fault();
  }
  await pump;
  for (const until = Date.now() + 60_000; acked < sent && Date.now() < until; ) await sleep(50);
  if (acked < sent) failures.push(`${sent - acked} readings never acknowledged by the broker`);
  const seconds = (Date.now() - t0) / 1000;
  // Drain: the service has learned the queue once its host health stops moving.
  const sub = await mqtt.connectAsync(broker.url, { clientId: `soak-sub-${process.pid}`, clean: true });
  let last = "";
  let quiet = 0;
  sub.on("message", (_t, p) => (last = p.toString()));
  await sub.subscribeAsync("edgelearn/health", { qos: 1 });
  for (let prev = ""; quiet < 4; ) {
    await sleep(1000);
    quiet = last === prev ? quiet + 1 : 0;
    prev = last;
  }
  await sub.endAsync();
  const t = Date.now();
  host.child.kill("SIGTERM");
  if ((await host.exited) !== 0) failures.push("service did not exit 0 at the end");
  stopMs.push(Date.now() - t);
  hostLogs.push(host.log());
  clearInterval(sampler);
  checkpointsResumed = hostLogs.some((l) => /checkpoints resumed/.test(l));
  // The host's own account of each stop: "stopping" → "stopped" in its log (the soak's stopMs also
  // holds signal delivery, process exit and this busy process noticing it).
  const hostStopMs = hostLogs.map((l) => {
    const at = (what: string) => Date.parse(new RegExp(`^(\\S+) info +edgelearn ${what}`, "m").exec(l)?.[1] ?? "");
    return at("stopped") - at("stopping");
  }).filter(Number.isFinite);
  const forcedStops = hostLogs.filter((l) => /did not acknowledge the last outputs/.test(l)).length;
  const duplicatesRefused = hostLogs.reduce((n, l) => n + (l.match(/reading refused: duplicate/g)?.length ?? 0), 0);
  // A full disk fails a checkpoint only if a write needs new blocks: with a large WAL already in
  // place (many devices, long runs) SQLite may write into it and freed pages for the whole spell.
  // So: no failure reported is recorded as such, but a failure must be followed by a resume.
  if (mounted && diskFullReported && !checkpointsResumed) failures.push("checkpoints did not resume after the disk had space again");

  const found = whatWouldRestore(dbPath, devices, join(dir, "copy.db"));
  let lost = 0;
  let twice = 0;
  for (const d of devices) {
    const p = published.get(d) ?? 0;
    const l = found.devices[d].readings ?? 0;
    if (p > l) lost += p - l;
    if (l > p) twice += l - p;
  }
  await pub.endAsync();
  watch.end(true);
  await broker.cleanup();
  if (mounted) execFileSync("umount", ["-l", mnt], { stdio: "pipe" });
  rmSync(dir, { recursive: true, force: true });
  return {
    readings: total,
    devices: o.devices,
    badPayloads: bad,
    seconds,
    readingsPerSecond: Math.round(total / seconds),
    lost,
    learnedTwice: twice,
    publisherInFlightAtBrokerStops: inFlightAtStops,
    serviceRestarts,
    brokerRestarts,
    diskFull: o.light ? "not run (light)" : mounted ? "injected" : "not run (no mount rights)",
    diskFullReported,
    checkpointsResumed,
    stopMs,
    hostStopMs,
    forcedStops,
    duplicatesRefused,
    rssMiB: rss,
    failures,
  };
}
