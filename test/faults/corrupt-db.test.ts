// Fault (d): the host starts on a corrupted or truncated database file. It says clearly what it
// could not read, keeps what can still be read, starts the other devices fresh, and runs (no
// crash); SIGTERM still stops it cleanly. A file that is only locked is not damaged: the host
// refuses to start and leaves it alone. No broker is needed: restore happens before connecting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kind, Learner } from "../../host/learner/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { spawnHost, writeHostConfig, type HostProcess } from "./host-process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(h: HostProcess, re: RegExp, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!re.test(h.log()) && Date.now() < until && h.child.exitCode === null) await sleep(50);
  assert.match(h.log(), re);
}

/** A database with `n` devices of real 2-feature regression states, 3 checkpoints each. */
function realDb(path: string, n: number): void {
  const l = new Learner().create(Kind.Linear, 2);
  const s = new SqliteStore({ path, history: 3 });
  for (let r = 0; r < 3; r++) {
    const items = [];
    for (let d = 0; d < n; d++) {
      l.learn(d + r, [Math.sin(d), Math.cos(r)]);
      items.push({ device: `dev${d}`, blob: l.snapshot(), readings: r + 1, knownGood: true });
    }
    s.checkpointMany(items);
  }
  s.close();
}

const running = new Set<HostProcess>();

async function startOn(dir: string, dbPath: string): Promise<HostProcess> {
  const config = writeHostConfig(dir, { url: "mqtt://127.0.0.1:1", clientId: "corrupt-db", dbPath, everyReadings: 100 });
  const h = spawnHost(config);
  running.add(h);
  void h.exited.then(() => running.delete(h));
  await waitFor(h, /edgelearn running/);
  return h;
}

/** Runs `fn` in a fresh directory; whatever happens, no host outlives it. */
async function inTempDir(fn: (dir: string, dbPath: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-corrupt-"));
  try {
    await fn(dir, join(dir, "state.db"));
  } finally {
    for (const h of running) h.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stopCleanly(h: HostProcess): Promise<void> {
  h.child.kill("SIGTERM");
  assert.equal(await h.exited, 0, h.log().slice(-2000));
}

test("corrupted database: garbage file → reported, moved aside, host runs with fresh devices", { timeout: 60_000 }, () =>
  inTempDir(async (dir, dbPath) => {
    writeFileSync(dbPath, Buffer.from("this is not a database, it is a file a power cut left behind\n".repeat(200)));
    const h = await startOn(dir, dbPath);
    assert.match(h.log(), /state store .*state\.db could not be read \(SQLITE_NOTADB[^)]*\); moved it to .*unreadable-.*; recovered 0 checkpoint\(s\) of 0 device\(s\); every other device starts fresh/);
    assert.equal(h.child.exitCode, null, "still running");
    await stopCleanly(h);
    assert.ok(readdirSync(dir).some((f) => f.startsWith("state.db.unreadable-")), "the unreadable file is kept for inspection");
    const fresh = new SqliteStore({ path: dbPath });
    assert.deepEqual(fresh.problems(), [], "the new file is a good database");
    fresh.close();
  }));

test("truncated database: readable devices are restored, the rest start fresh, the host runs", { timeout: 60_000 }, () =>
  inTempDir(async (dir, dbPath) => {
    realDb(dbPath, 400);
    truncateSync(dbPath, Math.floor(statSync(dbPath).size * 0.3));
    const h = await startOn(dir, dbPath);
    assert.match(h.log(), /could not be read \(SQLITE_CORRUPT[^)]*\); moved it to .*; recovered \d+ checkpoint\(s\) of \d+ device\(s\)/);
    await waitFor(h, /restored \d+ of \d+ devices from the store/);
    const m = /restored (\d+) of (\d+) devices/.exec(h.log())!;
    // A salvaged row can still hold zeros where its pages were cut off: the module refuses it and
    // the device says so and starts fresh.
    const fresh = h.log().match(/no checkpoint is valid \(\d+ refused\); starting fresh/g)?.length ?? 0;
    assert.ok(Number(m[1]) > 0 && Number(m[1]) + fresh === Number(m[2]), `restored ${m[1]} of ${m[2]}, ${fresh} fresh:\n${h.log().slice(-3000)}`);
    assert.ok(Number(m[2]) <= 400);
    await stopCleanly(h);
  }));

test("a damaged newest checkpoint: the host restores the previous one and says which and why", { timeout: 60_000 }, () =>
  inTempDir(async (dir, dbPath) => {
    realDb(dbPath, 3);
    // Flip payload bytes of dev1's newest checkpoint inside the file (the row stays readable).
    const s = new SqliteStore({ path: dbPath });
    const newest = s.candidates("dev1")[0];
    s.close();
    const buf = readFileSync(dbPath);
    const at = buf.indexOf(Buffer.from(newest.blob));
    assert.ok(at > 0 && existsSync(dbPath));
    buf[at + newest.blob.length - 8] ^= 0xff;
    writeFileSync(dbPath, buf);
    const h = await startOn(dir, dbPath);
    await waitFor(h, /restored 3 of 3 devices/);
    assert.match(h.log(), new RegExp(`device dev1: checkpoint ${newest.meta.seq} refused by the module: ERR_CRC`));
    assert.match(h.log(), new RegExp(`device dev1: using checkpoint ${newest.meta.seq - 1}`));
    await stopCleanly(h);
  }));

test("a database another process holds locked: the host exits 1 saying so, the file stays, the next start restores every device", { timeout: 60_000 }, () =>
  inTempDir(async (dir, dbPath) => {
    realDb(dbPath, 3);
    const raw = new Database(dbPath);
    raw.pragma("journal_mode = DELETE"); // opening has to write (back to WAL): it waits for the lock, then gives up
    raw.close();
    const holder = new Database(dbPath);
    holder.exec("BEGIN IMMEDIATE");
    holder.prepare("UPDATE checkpoints SET readings = readings").run();
    const config = writeHostConfig(dir, { url: "mqtt://127.0.0.1:1", clientId: "corrupt-db", dbPath, everyReadings: 100 });
    let h: HostProcess;
    try {
      h = spawnHost(config);
      running.add(h);
      assert.equal(await h.exited, 1, h.log().slice(-2000));
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    assert.match(h.log(), /cannot start: state store .*state\.db cannot be opened \(SQLITE_BUSY[^)]*\): another process holds its lock.*the file was left as it is/);
    assert.doesNotMatch(h.log(), /could not be read|moved it to/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes("unreadable")), []);
    const again = await startOn(dir, dbPath);
    await waitFor(again, /restored 3 of 3 devices/);
    await stopCleanly(again);
  }));
