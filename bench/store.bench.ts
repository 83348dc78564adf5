// Durable state: what a checkpoint costs (1, 100, 10,000 devices; one transaction per flush, and
// one per device), what checkpointing does to readings/s through the service, and how long a
// restart takes after SIGKILL with 10,000 devices (the store opening its hot WAL, every device's
// newest checkpoint validated by the module and loaded into the pool; and the whole
// `edgelearn run` process until it logs the restore).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Kind, Learner } from "../host/learner/index.js";
import { DevicePool } from "../host/devices/pool.js";
import { SqliteStore } from "../host/store/sqlite.js";
import { restoreAll } from "../host/store/restore.js";
import { loadConfig } from "../host/config/load.js";
import { Service } from "../host/service/service.js";
import { memoryLogger } from "../host/logger.js";
import type { CheckpointRequest, StateStore } from "../host/store/types.js";
import type { BenchModule, BenchRow } from "./types.js";

const NF = 8;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A trained 8-feature linear model's blob per device (each a little different). */
function blobs(n: number): Uint8Array[] {
  const l = new Learner().create(Kind.Linear, NF);
  const x = new Float32Array(NF);
  const out: Uint8Array[] = [];
  for (let d = 0; d < n; d++) {
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < NF; j++) x[j] = Math.sin(d + i * 0.3 + j);
      l.learn(x[0] - x[1] + 0.01 * d, x);
    }
    out.push(l.snapshot());
  }
  return out;
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function requests(devs: Uint8Array[], round: number): CheckpointRequest[] {
  return devs.map((blob, d) => ({ device: `dev${d}`, blob, readings: round * 1000, knownGood: round % 2 === 0 }));
}

function checkpointCost(dir: string, devices: number, rounds: number, sync: "FULL" | "NORMAL", b: Uint8Array[]): { flushMs: number; perDeviceUs: number } {
  const store = new SqliteStore({ path: join(dir, `cost-${devices}-${sync}.db`), history: 5, synchronous: sync });
  const devs = b.slice(0, devices);
  store.checkpointMany(requests(devs, 0)); // warm: tables, pages
  let best = Infinity;
  for (let r = 1; r <= rounds; r++) {
    const t0 = process.hrtime.bigint();
    store.checkpointMany(requests(devs, r));
    best = Math.min(best, ms(t0));
  }
  store.close();
  return { flushMs: best, perDeviceUs: (best * 1000) / devices };
}

function singleCheckpointMs(dir: string, sync: "FULL" | "NORMAL", blob: Uint8Array, n: number): number {
  const store = new SqliteStore({ path: join(dir, `single-${sync}.db`), history: 5, synchronous: sync });
  store.checkpoint("d", blob, 0, true);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) store.checkpoint("d", blob, i, i % 2 === 0);
  const t = ms(t0) / n;
  store.close();
  return t;
}

/**
 * Readings/s through Service.handle (no broker), without a store, or with SQLite checkpoints by
 * the service's own policy: every 1000 readings per device, and every dirty device once a second
 * (the policy's timer, called from the loop here since the loop never yields).
 */
function serviceRate(dir: string, devices: number, readings: number, store: StateStore | undefined): number {
  const config = loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a", "b", "c", "d", "e", "f", "g", "h"] },
      store: { type: store ? "sqlite" : "none", path: join(dir, "svc.db"), checkpoint: { everyReadings: 1000, everySeconds: 1 } },
      pool: { maxDevices: Math.max(devices, 10), hotInstances: Math.min(devices, 256) },
      output: { predictions: false },
      guard: { enabled: false },
    },
  });
  const publisher = { connected: true, publish: () => {} };
  const svc = new Service(config, { connect: false, publisher, logger: memoryLogger("error").logger, store });
  svc.start();
  const payloads = Array.from({ length: 64 }, (_, i) => {
    const f = Array.from({ length: NF }, (_, j) => Math.sin(i + j));
    return Buffer.from(JSON.stringify({ a: f[0], b: f[1], c: f[2], d: f[3], e: f[4], f: f[5], g: f[6], h: f[7], y: f[0] - f[1] }));
  });
  const topics = Array.from({ length: devices }, (_, d) => `sensors/dev${d}`);
  for (let i = 0; i < devices; i++) svc.handle(topics[i], payloads[0]); // create every model first
  const t0 = process.hrtime.bigint();
  let lastTick = Date.now();
  for (let i = 0; i < readings; i++) {
    svc.handle(topics[i % devices], payloads[i & 63]);
    if ((i & 1023) === 0 && store && Date.now() - lastTick >= 1000) {
      lastTick = Date.now();
      svc.checkpointMany(svc.policy!.dueByTime(lastTick));
    }
  }
  const rate = readings / (ms(t0) / 1000);
  void svc.stop();
  return rate;
}

/** Fills a store with `devices` × `rounds` checkpoints, then a child process flushes once more and is SIGKILLed. */
function killedStore(path: string, devices: number, b: Uint8Array[], rounds: number): void {
  const s = new SqliteStore({ path, history: 5 });
  for (let r = 0; r < rounds; r++) s.checkpointMany(requests(b.slice(0, devices), r));
  s.close();
  const sqlite = pathToFileURL(join(ROOT, "build/host/store/sqlite.js")).href;
  const script = `
    import { SqliteStore } from ${JSON.stringify(sqlite)};
    const s = new SqliteStore({ path: ${JSON.stringify(path)}, history: 5 });
    const rows = s.candidates("dev0");
    const blob = rows[0].blob;
    s.checkpointMany(Array.from({ length: ${devices} }, (_, d) => ({ device: "dev" + d, blob, readings: 9999, knownGood: true })));
    process.kill(process.pid, "SIGKILL");`;
  spawnSync(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
}

function hostRestoreMs(dir: string, dbPath: string, devices: number): Promise<number> {
  const config = join(dir, "host.json");
  writeFileSync(
    config,
    JSON.stringify({
      mqtt: { url: "mqtt://127.0.0.1:1", clientId: "bench-store" },
      model: { task: "regression", target: "y", features: ["a", "b", "c", "d", "e", "f", "g", "h"] },
      store: { type: "sqlite", path: dbPath, history: 5 },
      pool: { maxDevices: devices * 2 },
      log: { level: "info" },
    }),
  );
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, "bin/edgelearn.js"), "run", "--config", config], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.stderr!.on("data", (d) => {
      err += d;
      if (/restored \d+ of \d+ devices/.test(err)) {
        const t = ms(t0);
        child.kill("SIGKILL");
        clearTimeout(timer);
        resolve(t);
      }
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`host exited before restoring: ${err.slice(-500)}`));
    });
  });
}

const bench: BenchModule = {
  name: "store",
  description: "checkpoint cost (1/100/10,000 devices), its effect on readings/s, recovery after SIGKILL with 10,000 devices",
  async run({ quick, log }) {
    const dir = mkdtempSync(join(tmpdir(), "edgelearn-bench-store-"));
    const rows: BenchRow[] = [];
    try {
      const b = blobs(10_000);
      rows.push({ metric: "state blob, 8-feature linear", value: b[0].length, unit: "bytes" });
      for (const sync of quick ? (["FULL"] as const) : (["FULL", "NORMAL"] as const)) {
        const one = singleCheckpointMs(dir, sync, b[0], quick ? 50 : 200);
        rows.push({ metric: `one checkpoint, own transaction, synchronous=${sync}`, value: +one.toFixed(3), unit: "ms" });
        for (const devices of [1, 100, 10_000]) {
          log(`checkpoint cost: ${devices} devices, ${sync}`);
          const c = checkpointCost(dir, devices, devices === 10_000 ? (quick ? 1 : 5) : quick ? 10 : 50, sync, b);
          rows.push({ metric: `flush of ${devices} device(s), one transaction, synchronous=${sync}`, value: +c.flushMs.toFixed(2), unit: "ms" });
          rows.push({ metric: `per device checkpoint in a flush of ${devices}, synchronous=${sync}`, value: +c.perDeviceUs.toFixed(1), unit: "µs" });
        }
      }

      const n = quick ? 30_000 : 300_000;
      for (const devices of quick ? [1, 100] : [1, 100, 10_000]) {
        log(`readings/s: ${devices} devices`);
        const base = serviceRate(dir, devices, n, undefined);
        const withStore = serviceRate(dir, devices, n, new SqliteStore({ path: join(dir, `svc-${devices}.db`), history: 5 }));
        rows.push({ metric: `readings/s through the service, ${devices} device(s), no store`, value: Math.round(base), unit: "/s" });
        rows.push({
          metric: `readings/s through the service, ${devices} device(s), SQLite checkpoints (every 1000 readings or 1 s)`,
          value: Math.round(withStore),
          unit: "/s",
          note: `${((withStore / base) * 100).toFixed(1)}% of no store`,
        });
      }

      log("recovery after SIGKILL, 10,000 devices");
      const db = join(dir, "killed.db");
      const rounds = quick ? 1 : 5;
      killedStore(db, 10_000, b, rounds);
      const wal = statSync(db + "-wal", { throwIfNoEntry: false })?.size ?? 0;
      rows.push({ metric: "hot WAL left by the SIGKILLed flush (10,000 devices)", value: Math.round(wal / 1024), unit: "KiB" });
      const t0 = process.hrtime.bigint();
      const store = new SqliteStore({ path: db, history: 5 });
      const opened = ms(t0);
      // The service's own restore path: validate each candidate, then hand the blob to the pool.
      const pool = new DevicePool<null>({ maxDevices: 10_000, hotInstances: 1 });
      const results = restoreAll(store, (x) => pool.spare().validate(x), () => {});
      let loaded = 0;
      for (const r of results) {
        const d = r.restored && pool.add(r.device, null);
        if (d && pool.load(d, r.restored!.blob) === 0) loaded++;
      }
      const total = ms(t0);
      store.close();
      rows.push({ metric: "recovery after SIGKILL, 10,000 devices: open store (WAL recovery, integrity check)", value: +opened.toFixed(1), unit: "ms" });
      rows.push({ metric: "recovery after SIGKILL, 10,000 devices: open + validate + load every device", value: +total.toFixed(1), unit: "ms", note: `${loaded} restored` });
      if (!quick) {
        killedStore(join(dir, "killed2.db"), 10_000, b, rounds);
        const host = await hostRestoreMs(dir, join(dir, "killed2.db"), 10_000);
        rows.push({ metric: "recovery after SIGKILL, 10,000 devices: `edgelearn run` start to restored", value: Math.round(host), unit: "ms", note: "includes Node start and module loading" });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { name: "store", rows };
  },
};

export default bench;
