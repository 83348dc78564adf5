import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync, truncateSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MemoryStore } from "../../host/store/memory.js";
import { SqliteStore, StoreOpenError } from "../../host/store/sqlite.js";
import { pickValid, restoreAll } from "../../host/store/restore.js";
import { headerCrc } from "../../host/store/blob.js";
import type { StateStore } from "../../host/store/types.js";
import { fakeBlob, fakeValidate, tagOf } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

const tmp = () => tempDir("store");

function contract(name: string, make: () => StateStore) {
  test(`${name}: newest first, seq increasing, metadata kept`, () => {
    let t = 1000;
    const s = make();
    s.checkpoint("a", fakeBlob(1), 10, false);
    s.checkpoint("a", fakeBlob(2), 20, true);
    s.checkpoint("b", fakeBlob(3), 5, false);
    const c = s.candidates("a");
    assert.deepEqual(c.map((x) => x.meta.seq), [2, 1]);
    assert.deepEqual(c.map((x) => tagOf(x.blob)), [2, 1]);
    assert.equal(c[0].meta.readings, 20);
    assert.equal(c[0].meta.bytes, 64);
    assert.equal(c[0].meta.knownGood, true);
    assert.deepEqual(s.devices(), ["a", "b"]);
    assert.equal(tagOf(s.lastKnownGood("a")!.blob), 2);
    assert.equal(s.lastKnownGood("b"), undefined);
    assert.equal(tagOf(s.newest("a")!.blob), 2);
    assert.equal(s.newest("zz"), undefined);
    t++;
    s.close();
  });

  test(`${name}: history is bounded, the newest known-good survives pruning`, () => {
    const s = make(); // history 4
    s.checkpoint("d", fakeBlob(0), 0, true);
    for (let i = 1; i <= 50; i++) s.checkpoint("d", fakeBlob(i), i * 100, false);
    const c = s.candidates("d");
    assert.deepEqual(c.map((x) => x.meta.seq), [51, 50, 49, 48, 1]);
    assert.equal(tagOf(s.lastKnownGood("d")!.blob), 0);
    s.markKnownGood("d", 50);
    assert.deepEqual(s.candidates("d").map((x) => x.meta.seq), [51, 50, 49, 48]);
    assert.equal(s.lastKnownGood("d")!.meta.seq, 50);
    s.checkpointMany([
      { device: "d", blob: fakeBlob(52), readings: 1, knownGood: false },
      { device: "e", blob: fakeBlob(1), readings: 1, knownGood: true },
      { device: "d", blob: fakeBlob(53), readings: 2, knownGood: false },
    ]);
    assert.deepEqual(s.candidates("d").map((x) => x.meta.seq), [53, 52, 51, 50]);
    assert.equal(s.candidates("e").length, 1);
    s.remove("d");
    assert.deepEqual(s.devices(), ["e"]);
    assert.deepEqual(s.candidates("d"), []);
    s.close();
  });

  test(`${name}: the time of the last learned reading and the feature names are kept with each checkpoint`, () => {
    const s = make();
    s.checkpointMany([
      { device: "c", blob: fakeBlob(1), readings: 1, knownGood: true, lastTs: 1_750_000_000_001, features: ["humidity", "temperature"] },
      { device: "c", blob: fakeBlob(2), readings: 2, knownGood: false, lastTs: 1_750_000_000_002.5, features: [] },
      { device: "c", blob: fakeBlob(3), readings: 3, knownGood: false },
    ]);
    const [n3, n2, n1] = s.candidates("c");
    assert.deepEqual([n1.lastTs, n1.features], [1_750_000_000_001, ["humidity", "temperature"]]);
    assert.deepEqual([n2.lastTs, n2.features], [1_750_000_000_002.5, []]);
    assert.deepEqual([n3.lastTs, n3.features], [undefined, undefined], "not recorded");
    assert.deepEqual(s.lastKnownGood("c")!.features, ["humidity", "temperature"]);
    assert.equal(s.newest("c")!.lastTs, undefined);
    s.close();
  });

  test(`${name}: the rollback guard's state is kept with each checkpoint as the JSON object it was`, () => {
    const s = make();
    const guard = { v: 1, mode: "probation", level: 0.25, baseline: null, nested: { a: [1, 2] } };
    s.checkpointMany([
      { device: "g", blob: fakeBlob(1), readings: 1, knownGood: true, guard },
      { device: "g", blob: fakeBlob(2), readings: 2, knownGood: false },
    ]);
    const [n2, n1] = s.candidates("g");
    assert.deepEqual(n1.guard, guard);
    assert.equal(n2.guard, undefined, "not recorded");
    assert.deepEqual(s.lastKnownGood("g")!.guard, guard);
    s.close();
  });

  test(`${name}: restore skips blobs the module refuses and says why`, () => {
    const s = make();
    s.checkpoint("x", fakeBlob(1), 1, true);
    const bad = fakeBlob(2);
    bad[40] ^= 0xff; // payload altered after the CRC was written
    s.checkpoint("x", bad, 2, false);
    const lines: string[] = [];
    const r = pickValid(s, "x", fakeValidate, (m) => lines.push(m));
    assert.equal(r.restored?.meta.seq, 1);
    assert.deepEqual(r.skipped.map((k) => k.seq), [2]);
    assert.match(r.skipped[0].reason, /ERR_CRC/);
    assert.ok(lines.some((l) => /checkpoint 2 refused.*ERR_CRC/.test(l)), lines.join("\n"));
    const none = new Uint8Array(64);
    s.checkpoint("y", none, 1, false);
    const all = restoreAll(s, fakeValidate, (m) => lines.push(m));
    assert.equal(all.find((a) => a.device === "y")!.restored, undefined);
    assert.ok(lines.some((l) => /device y: no checkpoint is valid.*starting fresh/.test(l)));
    s.close();
  });
}

contract("memory", () => new MemoryStore({ history: 4 }));
contract("sqlite", () => new SqliteStore({ path: join(tmp(), "state.db"), history: 4 }));

test("sqlite: survives reopen, WAL mode, seq continues", () => {
  const path = join(tmp(), "s.db");
  const a = new SqliteStore({ path });
  a.checkpoint("dev/1", fakeBlob(7), 70, true);
  a.close();
  const b = new SqliteStore({ path });
  assert.deepEqual(b.problems(), []);
  assert.equal(b.checkpoint("dev/1", fakeBlob(8), 80, false).seq, 2);
  assert.equal(tagOf(b.candidates("dev/1")[0].blob), 8);
  b.close();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
  raw.close();
});

test("sqlite: size is bounded by devices × history, not by checkpoints", () => {
  const path = join(tmp(), "bounded.db");
  const s = new SqliteStore({ path, history: 3 });
  const size = () => {
    s.close();
    const n = statSync(path).size;
    return n;
  };
  let store = s;
  const round = (k: number) =>
    store.checkpointMany(Array.from({ length: 20 }, (_, d) => ({ device: `d${d}`, blob: fakeBlob(k, 2048), readings: k, knownGood: k % 7 === 0 })));
  for (let k = 0; k < 10; k++) round(k);
  const after10 = size();
  store = new SqliteStore({ path, history: 3 });
  for (let k = 10; k < 200; k++) round(k);
  assert.ok(store instanceof SqliteStore && store.rowCount() <= 20 * 4);
  store.close();
  const after200 = statSync(path).size;
  assert.ok(after200 <= after10 * 1.5 + 65536, `${after10} → ${after200}`);
});

test("sqlite: a row torn on disk is reported and skipped, never thrown", () => {
  const path = join(tmp(), "torn.db");
  const s = new SqliteStore({ path });
  s.checkpoint("t", fakeBlob(1), 1, false);
  s.checkpoint("t", fakeBlob(2), 2, false);
  s.close();
  const raw = new Database(path);
  raw.prepare("UPDATE checkpoints SET blob = substr(blob, 1, 30) WHERE seq = 2").run();
  raw.close();
  const r = new SqliteStore({ path });
  const c = r.candidates("t");
  assert.deepEqual(c.map((x) => x.meta.seq), [1]);
  assert.ok(r.problems().some((p) => /checkpoint 2 is damaged/.test(p)), r.problems().join("\n"));
  r.close();
});

function fill(path: string, devices: number) {
  const s = new SqliteStore({ path, history: 2 });
  for (let k = 0; k < 3; k++) {
    s.checkpointMany(Array.from({ length: devices }, (_, d) => ({ device: `dev${d}`, blob: fakeBlob(k, 1500), readings: k, knownGood: true })));
  }
  s.close();
}

test("sqlite: a file that is not a database is moved aside; the host starts fresh", () => {
  const dir = tmp();
  const path = join(dir, "garbage.db");
  writeFileSync(path, Buffer.alloc(10000, 0x5a));
  const lines: string[] = [];
  const s = new SqliteStore({ path, log: (m) => lines.push(m) });
  assert.deepEqual(s.devices(), []);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /could not be read .*moved it to .*unreadable.*recovered 0 checkpoint/);
  s.checkpoint("n", fakeBlob(1), 1, false);
  s.close();
  assert.ok(readdirSync(dir).some((f) => f.startsWith("garbage.db.unreadable-")));
  const again = new SqliteStore({ path });
  assert.deepEqual(again.problems(), []);
  assert.equal(again.candidates("n").length, 1);
  again.close();
});

test("sqlite: a truncated file is reported, readable devices are salvaged, the rest start fresh", () => {
  const path = join(tmp(), "trunc.db");
  fill(path, 300);
  const full = statSync(path).size;
  truncateSync(path, Math.floor(full * 0.6));
  const lines: string[] = [];
  const s = new SqliteStore({ path, log: (m) => lines.push(m) });
  assert.ok(lines.some((l) => /could not be read/.test(l)), lines.join("\n"));
  const res = restoreAll(s, fakeValidate, () => {});
  assert.ok(res.length > 0, "some devices are salvaged");
  for (const r of res) assert.ok(r.restored && fakeValidate(r.restored.blob) === 0, `${r.device} restores`);
  s.close();
});

test("sqlite: bytes flipped in the middle of the file never crash the store", () => {
  for (const at of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    const path = join(tmp(), "flip.db");
    fill(path, 100);
    const buf = readFileSync(path);
    const o = Math.floor(buf.length * at);
    for (let i = 0; i < 512; i++) buf[o + i] ^= 0xa5;
    writeFileSync(path, buf);
    const s = new SqliteStore({ path });
    const res = restoreAll(s, fakeValidate, () => {});
    for (const r of res) if (r.restored) assert.equal(fakeValidate(r.restored.blob), 0);
    s.checkpoint("after", fakeBlob(1), 1, false);
    s.close();
  }
});

/** A store file with devices a, b (two checkpoints each), closed. */
function twoDevices(path: string): void {
  const s = new SqliteStore({ path });
  for (let k = 1; k <= 2; k++) s.checkpointMany(["a", "b"].map((device) => ({ device, blob: fakeBlob(k), readings: k, knownGood: true })));
  s.close();
}

function assertIntact(path: string): void {
  const dir = join(path, "..");
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes("unreadable")), [], "nothing was moved aside");
  const s = new SqliteStore({ path });
  assert.deepEqual(s.problems(), []);
  assert.deepEqual(s.devices(), ["a", "b"]);
  const res = restoreAll(s, fakeValidate, () => {});
  assert.deepEqual(res.map((r) => r.restored && tagOf(r.restored.blob)), [2, 2], "every device restores its newest checkpoint");
  s.close();
}

test("sqlite: another connection holding the write lock: the file opens without a write, every device restores", () => {
  const path = join(tmp(), "locked.db");
  twoDevices(path);
  const holder = new Database(path);
  holder.exec("BEGIN IMMEDIATE");
  holder.prepare("UPDATE checkpoints SET readings = readings WHERE device = 'a'").run();
  try {
    const s = new SqliteStore({ path, busyTimeoutMs: 50 });
    assert.deepEqual(s.problems(), []);
    assert.deepEqual(s.devices(), ["a", "b"]);
    assert.equal(tagOf(s.newest("b")!.blob), 2);
    s.close();
  } finally {
    holder.exec("ROLLBACK");
    holder.close();
  }
  assertIntact(path);
});

test("sqlite: SQLITE_BUSY on a write the open needs: start-up fails with a clear error, the file stays", () => {
  const path = join(tmp(), "busy.db");
  twoDevices(path);
  const raw = new Database(path);
  raw.pragma("journal_mode = DELETE"); // e.g. copied with a tool that left it in rollback-journal mode
  raw.close();
  const holder = new Database(path);
  holder.exec("BEGIN IMMEDIATE");
  holder.prepare("UPDATE checkpoints SET readings = readings WHERE device = 'a'").run();
  const lines: string[] = [];
  try {
    assert.throws(
      () => new SqliteStore({ path, busyTimeoutMs: 50, log: (m) => lines.push(m) }),
      (e: unknown) => e instanceof StoreOpenError && e.code === "SQLITE_BUSY" && /cannot be opened \(SQLITE_BUSY.*another process holds its lock.*left as it is/.test(e.message),
    );
  } finally {
    holder.exec("ROLLBACK");
    holder.close();
  }
  assert.deepEqual(lines, [], "not reported as an unreadable file");
  assertIntact(path);
});

test("sqlite: SQLITE_FULL while opening (simulated): start-up fails with a clear error, the file stays", () => {
  const path = join(tmp(), "full.db");
  twoDevices(path);
  const proto = Database.prototype as unknown as { pragma: (this: Database.Database, ...a: unknown[]) => unknown };
  const pragma = proto.pragma;
  proto.pragma = function (...a: unknown[]) {
    if (/quick_check|journal_mode/.test(String(a[0]))) throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
    return pragma.apply(this, a);
  };
  try {
    assert.throws(
      () => new SqliteStore({ path }),
      (e: unknown) => e instanceof StoreOpenError && e.code === "SQLITE_FULL" && /the disk is full.*left as it is/.test(e.message),
    );
  } finally {
    proto.pragma = pragma;
  }
  assertIntact(path);
});

test("sqlite: a file written before last_ts and features opens (gains the columns), and an older edgelearn can still write it", () => {
  const path = join(tmp(), "v1.db");
  const old = new Database(path);
  old.pragma("journal_mode = WAL");
  old.exec(`CREATE TABLE checkpoints (device TEXT NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, readings INTEGER NOT NULL,
    crc INTEGER NOT NULL, bytes INTEGER NOT NULL, known_good INTEGER NOT NULL DEFAULT 0, blob BLOB NOT NULL, PRIMARY KEY (device, seq))`);
  old.pragma("user_version = 1");
  const OLD_INSERT = "INSERT INTO checkpoints (device, seq, time, readings, crc, bytes, known_good, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  old.prepare(OLD_INSERT).run("o", 1, 1, 1, headerCrc(fakeBlob(1)), 64, 1, fakeBlob(1));
  old.close();
  const s = new SqliteStore({ path });
  assert.deepEqual(s.problems(), []);
  const c = s.candidates("o");
  assert.deepEqual(c.map((x) => [x.meta.seq, tagOf(x.blob), x.lastTs, x.features]), [[1, 1, undefined, undefined]]);
  s.checkpointMany([{ device: "o", blob: fakeBlob(2), readings: 2, knownGood: false, lastTs: 5, features: ["a"] }]);
  s.close();
  const raw = new Database(path);
  assert.equal(raw.pragma("user_version", { simple: true }), 1, "still readable by a version-1 reader");
  raw.prepare(OLD_INSERT).run("o", 3, 1, 3, headerCrc(fakeBlob(3)), 64, 0, fakeBlob(3));
  raw.close();
  const again = new SqliteStore({ path });
  assert.deepEqual(again.candidates("o").map((x) => [x.meta.seq, x.lastTs, x.features, x.guard]), [[3, undefined, undefined, undefined], [2, 5, ["a"], undefined], [1, undefined, undefined, undefined]]);
  again.checkpointMany([{ device: "o", blob: fakeBlob(4), readings: 4, knownGood: false, guard: { v: 1 } }]);
  assert.deepEqual(again.newest("o")!.guard, { v: 1 });
  again.close();
});

test("sqlite: a damaged file written before last_ts and features is still salvaged", () => {
  const path = join(tmp(), "v1-garbled.db");
  const old = new Database(path);
  old.exec(`CREATE TABLE checkpoints (device TEXT NOT NULL, seq INTEGER NOT NULL, time INTEGER NOT NULL, readings INTEGER NOT NULL,
    crc INTEGER NOT NULL, bytes INTEGER NOT NULL, known_good INTEGER NOT NULL DEFAULT 0, blob BLOB NOT NULL, PRIMARY KEY (device, seq))`);
  old.pragma("user_version = 1");
  const ins = old.prepare("INSERT INTO checkpoints (device, seq, time, readings, crc, bytes, known_good, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  old.transaction(() => {
    for (let d = 0; d < 300; d++) ins.run(`dev${d}`, 1, 1, 1, headerCrc(fakeBlob(d, 1500)), 1500, 1, fakeBlob(d, 1500));
  })();
  old.close();
  truncateSync(path, Math.floor(statSync(path).size * 0.6));
  const lines: string[] = [];
  const s = new SqliteStore({ path, log: (m) => lines.push(m) });
  assert.match(lines.join("\n"), /could not be read .*recovered [1-9]\d* checkpoint/);
  assert.ok(s.devices().length > 0);
  s.close();
});
