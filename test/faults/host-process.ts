// The real `edgelearn run` as a child process, for the fault tests: a generated configuration,
// the process with its log, and what a start would restore from its SQLite file.

import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Count, Learner } from "../../host/learner/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { pickValid, type Skipped } from "../../host/store/restore.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = join(ROOT, "bin", "edgelearn.js");
/** Readings carry ts = TS0 + their sequence number, so predictions say which reading they were. */
export const TS0 = 1_700_000_000_000;

export interface HostConfigOptions {
  url: string;
  clientId: string;
  dbPath: string;
  everyReadings: number;
  everySeconds?: number;
  guard?: boolean;
  /** mqtt.keepalive in seconds (default: the configuration's default). */
  keepalive?: number;
}

/** Writes a regression configuration (features a, b; target y) and returns its path. */
export function writeHostConfig(dir: string, o: HostConfigOptions): string {
  const path = join(dir, "config.json");
  writeFileSync(
    path,
    JSON.stringify({
      mqtt: { url: o.url, clientId: o.clientId, reconnect: { minDelayMs: 100, maxDelayMs: 1000 }, ...(o.keepalive ? { keepalive: o.keepalive } : {}) },
      model: { task: "regression", target: "y", features: ["a", "b"] },
      store: { type: "sqlite", path: o.dbPath, history: 3, checkpoint: { everyReadings: o.everyReadings, everySeconds: o.everySeconds ?? 0 } },
      // The rollback guard's own (correct) rollbacks would blur the count of what a crash lost.
      guard: { enabled: o.guard ?? false },
      log: { level: "info" },
      // No HTTP server: a port still held by a host of an earlier test would fail the start.
      http: { enabled: false },
    }),
  );
  return path;
}

export interface HostProcess {
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

export function spawnHost(configPath: string): HostProcess {
  const child = spawn(process.execPath, [BIN, "run", "--config", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, log: () => stderr, exited };
}

export interface DeviceRestore {
  /** Readings in the state a start would restore (undefined: none valid). */
  readings?: number;
  skipped: Skipped[];
}

/**
 * What the next start would restore, read from a copy of the file and its WAL exactly as the host
 * left them (the original stays untouched for the next start).
 */
export function whatWouldRestore(dbPath: string, devices: string[], scratch: string): { devices: Record<string, DeviceRestore>; problems: string[] } {
  for (const ext of ["", "-wal"]) if (existsSync(dbPath + ext)) copyFileSync(dbPath + ext, scratch + ext);
  const store = new SqliteStore({ path: scratch });
  const learner = new Learner();
  const out: Record<string, DeviceRestore> = {};
  for (const dev of devices) {
    const pick = pickValid(store, dev, (b) => learner.validate(b), () => {});
    let readings: number | undefined;
    if (pick.restored && learner.load(pick.restored.blob) === 0) readings = learner.count(Count.Readings);
    out[dev] = { readings, skipped: pick.skipped };
  }
  const problems = store.problems();
  store.close();
  for (const ext of ["", "-wal", "-shm"]) rmSync(scratch + ext, { force: true });
  return { devices: out, problems };
}
