// SQLite StateStore (better-sqlite3 12): one file, WAL journal, one row per checkpoint.
//
// Durability: every checkpoint (or batch of checkpoints) is one transaction. In WAL mode a
// committed transaction is in the -wal file before `commit` returns, so a killed process loses
// nothing it committed; with synchronous=FULL (the default) the WAL is also synced on every
// commit, so a power cut loses nothing committed either. A torn write leaves an invalid WAL
// frame that SQLite ignores on the next open: a checkpoint is all there or not there.
//
// Bounded size: per device the newest `history` checkpoints plus the newest known-good one; older
// rows are deleted in the same transaction that adds a new one, and SQLite reuses their pages.
//
// A file SQLite cannot read (not a database, truncated, failing its integrity check) never stops
// the host: it is moved aside, whatever rows can still be read are copied into a fresh file, and
// `problems()` says what happened; the other devices start fresh. Any other failure to open (the
// disk is full, another process holds the write lock past the busy timeout, an I/O error, no
// permission, a read-only file, another edgelearn holding the store's lock file, some other
// program's database, a file written by a newer schema) says nothing wrong about the file: the
// constructor throws a StoreOpenError and leaves the file as it was, so the next start finds
// every device.
// Opening writes nothing to a file that is already set up. A file deleted while the store runs is
// written again from the open connection at the next write. Raw readings are never stored: the
// table has no place for them.
//
// Schema: version 1, one table. The columns last_ts (Unix ms of the device's last learned
// reading), features (its model's input fields, a JSON array) and guard (the rollback guard's
// state, a JSON object) came later: a file without them
// gets them on open (ALTER TABLE, one transaction), and an older edgelearn still reads and writes
// the file as version 1 (its rows leave them NULL: not recorded). A change an older reader could
// not ignore needs a new user_version.

import Database from "better-sqlite3";
import { copyFileSync, existsSync, mkdirSync, readSync, openSync, closeSync, renameSync, rmSync, statSync, truncateSync } from "node:fs";
import { dirname } from "node:path";
import { headerCrc, rowDefect } from "./blob.js";
import { context, historyBound, type StoreOptions } from "./memory.js";
import { StoreOpenError, errorCode } from "./open-error.js";
import { WriterLock } from "./writer-lock.js";
import type { CheckpointContext, CheckpointMeta, CheckpointRequest, StateStore, StoredBlob } from "./types.js";

export { StoreOpenError };

export interface SqliteStoreOptions extends StoreOptions {
  /** Database file; its directory is created if missing. */
  path: string;
  /** FULL (default): a commit survives a power cut. NORMAL: survives a process crash only, faster. */
  synchronous?: "FULL" | "NORMAL";
  /** Receives one line per problem as it is found (default: nothing; see `problems()`). */
  log?: (msg: string) => void;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** The files of one SQLite database in WAL mode: the database, its log and its shared memory. */
const FILE_PARTS = ["", "-wal", "-shm"];

/** What `openExisting` finds wrong with the file itself: the file is moved aside. */
class Unreadable extends Error {}

const SCHEMA_VERSION = 1;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  device     TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  time       INTEGER NOT NULL,
  readings   INTEGER NOT NULL,
  crc        INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  known_good INTEGER NOT NULL DEFAULT 0,
  blob       BLOB    NOT NULL,
  last_ts    REAL,
  features   TEXT,
  guard      TEXT,
  PRIMARY KEY (device, seq)
)`;
/** Columns added to version 1 after its first release: name → definition (nullable). */
const ADDED: ReadonlyArray<readonly [string, string]> = [
  ["last_ts", "REAL"],
  ["features", "TEXT"],
  ["guard", "TEXT"],
];
const COLUMNS = "device, seq, time, readings, crc, bytes, known_good, blob, last_ts, features, guard";

interface Row {
  device: string;
  seq: number;
  time: number;
  readings: number;
  crc: number;
  bytes: number;
  known_good: number;
  blob: Buffer;
  last_ts: number | null;
  features: string | null;
  guard: string | null;
}

type Stmt = Database.Statement<unknown[], Row>;

export class SqliteStore implements StateStore {
  readonly path: string;
  private readonly history: number;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly sync: "FULL" | "NORMAL";
  private readonly busyMs: number;
  private readonly issues: string[] = [];
  private db!: Database.Database;
  private lock!: WriterLock;
  /** The file the connection has open (device and inode): a path that no longer names it was deleted or replaced. */
  private file = { dev: 0, ino: 0 };
  /** The connection's write-ahead log (0: not seen at open, not checked). */
  private wal = { dev: 0, ino: 0 };
  private closed = false;
  /** Newest seq per device, and newest known-good seq, mirrored from the table. */
  private readonly lastSeq = new Map<string, number>();
  private readonly lkgSeq = new Map<string, number>();
  private st!: {
    insert: Database.Statement;
    prune: Database.Statement;
    mark: Database.Statement;
    remove: Database.Statement;
    history: Stmt;
    newest: Stmt;
    knownGood: Stmt;
  };

  constructor(o: SqliteStoreOptions) {
    this.path = o.path;
    this.history = historyBound(o);
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => {});
    this.sync = o.synchronous ?? "FULL";
    if (this.sync !== "FULL" && this.sync !== "NORMAL") throw new RangeError(`synchronous must be FULL or NORMAL`);
    this.busyMs = o.busyTimeoutMs ?? 5000;
    mkdirSync(dirname(this.path), { recursive: true });
    // The lock first: a second host must not touch the file at all (not even move a damaged one aside).
    this.lock = WriterLock.take(this.path);
    try {
      this.openExisting();
    } catch (e) {
      if (!isDamage(e)) {
        this.lock.release();
        throw e instanceof StoreOpenError ? e : openError(this.path, e);
      }
      try {
        this.recoverFrom(errText(e));
      } catch (e2) {
        this.lock.release();
        throw e2;
      }
    }
  }

  private openExisting(): void {
    const db = new Database(this.path, { timeout: this.busyMs });
    try {
      const version = db.pragma("user_version", { simple: true }) as number;
      // Not damage: a downgrade. Salvaging would fork the devices' state into a file the newer
      // release would then have to be pointed back from; the operator chooses instead.
      if (version > SCHEMA_VERSION) {
        throw new StoreOpenError(
          this.path,
          "NEWER_SCHEMA",
          `state store ${this.path} was written by a newer edgelearn (schema ${version}; this one reads up to ${SCHEMA_VERSION}): ` +
            `the file was left as it is; run that release, or point store.path at another file`,
        );
      }
      const check = db.pragma("quick_check", { simple: true });
      // One line: SQLite's report spans several.
      if (check !== "ok") throw new Unreadable(`integrity check failed: ${String(check).replace(/\s+/g, " ")}`);
      refuseForeign(this.path, db);
      this.init(db);
    } catch (e) {
      try {
        db.close();
      } catch {
        /* already unusable */
      }
      throw e;
    }
  }

  /** Sets up a connection; writes to the file only what is not already so (WAL mode, table, version). */
  private init(db: Database.Database): void {
    if (String(db.pragma("journal_mode", { simple: true })).toLowerCase() !== "wal") db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${this.sync}`);
    db.exec(SCHEMA);
    const have = new Set((db.pragma("table_info(checkpoints)") as { name: string }[]).map((c) => c.name));
    const missing = ADDED.filter(([name]) => !have.has(name));
    if (missing.length) db.transaction(() => missing.forEach(([name, type]) => db.exec(`ALTER TABLE checkpoints ADD COLUMN ${name} ${type}`)))();
    if (db.pragma("user_version", { simple: true }) !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    probeWrite(db, this.busyMs);
    this.db = db;
    const st = statSync(this.path);
    this.file = { dev: st.dev, ino: st.ino };
    const wal = statSync(this.path + "-wal", { throwIfNoEntry: false });
    this.wal = wal ? { dev: wal.dev, ino: wal.ino } : { dev: 0, ino: 0 };
    this.st = {
      insert: db.prepare(`INSERT INTO checkpoints (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      prune: db.prepare("DELETE FROM checkpoints WHERE device = ? AND seq <= ? AND seq <> ?"),
      mark: db.prepare("UPDATE checkpoints SET known_good = 1 WHERE device = ? AND seq = ?"),
      remove: db.prepare("DELETE FROM checkpoints WHERE device = ?"),
      history: db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE device = ? ORDER BY seq DESC`) as Stmt,
      newest: db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE device = ? ORDER BY seq DESC LIMIT 1`) as Stmt,
      knownGood: db.prepare(
        `SELECT ${COLUMNS} FROM checkpoints WHERE device = ? AND known_good = 1 ORDER BY seq DESC`,
      ) as Stmt,
    };
    this.loadSeqs();
  }

  private loadSeqs(): void {
    const db = this.db;
    this.lastSeq.clear();
    this.lkgSeq.clear();
    const newest = db.prepare("SELECT device, MAX(seq) AS seq FROM checkpoints GROUP BY device");
    for (const r of newest.all() as { device: string; seq: number }[]) this.lastSeq.set(r.device, r.seq);
    const good = db.prepare("SELECT device, MAX(seq) AS seq FROM checkpoints WHERE known_good = 1 GROUP BY device");
    for (const r of good.all() as { device: string; seq: number }[]) this.lkgSeq.set(r.device, r.seq);
  }

  /** Moves an unreadable file aside, salvages what rows it can, and starts a fresh file. */
  private recoverFrom(reason: string): void {
    const aside = `${this.path}.unreadable-${new Date(this.now()).toISOString().replace(/[:.]/g, "-")}`;
    const moved = FILE_PARTS.filter((ext) => existsSync(this.path + ext));
    for (const ext of moved) renameSync(this.path + ext, aside + ext);
    try {
      this.salvageInto(aside, reason);
    } catch (e) {
      // A recovery that cannot finish (the disk is full, say) puts the damaged file back where it
      // was: the next start tries again from it, instead of finding no file and starting empty.
      try {
        this.db?.close();
      } catch {
        /* already unusable */
      }
      for (const ext of FILE_PARTS) rmSync(this.path + ext, { force: true });
      for (const ext of moved) renameSync(aside + ext, this.path + ext);
      throw e instanceof StoreOpenError ? e : openError(this.path, e);
    }
  }

  /** Opens and sets up the file at the store's path; a connection that cannot be set up is closed. */
  private openFresh(): void {
    const db = new Database(this.path, { timeout: this.busyMs });
    try {
      this.init(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Starts a fresh file at the store's path with the rows of the moved-aside file that can be read. */
  private salvageInto(aside: string, reason: string): void {
    const rows = salvage(aside);
    this.openFresh();
    let kept = 0;
    const devices = new Set<string>();
    this.db.transaction(() => {
      for (const r of rows) {
        const defect = rowDefect(r.blob, r.bytes, r.crc);
        if (defect) {
          this.problem(`device ${r.device} checkpoint ${r.seq} in ${aside} is damaged (${defect}); dropped`);
          continue;
        }
        this.st.insert.run(r.device, r.seq, r.time, r.readings, r.crc, r.bytes, r.known_good ? 1 : 0, r.blob, r.last_ts ?? null, r.features ?? null, r.guard ?? null);
        kept++;
        devices.add(r.device);
      }
    })();
    this.loadSeqs();
    this.problem(
      `state store ${this.path} could not be read (${reason}); moved it to ${aside}; ` +
        `recovered ${kept} checkpoint(s) of ${devices.size} device(s)` +
        (devices.size ? ` (${[...devices].sort().slice(0, 20).join(", ")}${devices.size > 20 ? ", …" : ""})` : "") +
        `; every other device starts fresh`,
    );
  }

  private problem(msg: string): void {
    this.issues.push(msg);
    this.log(msg);
  }

  devices(): string[] {
    return [...this.lastSeq.keys()].sort();
  }

  candidates(device: string): StoredBlob[] {
    return this.readRows(this.st.history, device);
  }

  newest(device: string): StoredBlob | undefined {
    return this.readRows(this.st.newest, device)[0];
  }

  lastKnownGood(device: string): StoredBlob | undefined {
    return this.readRows(this.st.knownGood, device, true)[0];
  }

  /** Rows of one device newest first, without the ones that cannot be whole blobs (reported). */
  private readRows(stmt: Stmt, device: string, firstOnly = false): StoredBlob[] {
    const out: StoredBlob[] = [];
    try {
      for (const r of stmt.iterate(device)) {
        const defect = rowDefect(r.blob, r.bytes, r.crc);
        if (defect) this.problem(`device ${device} checkpoint ${r.seq} is damaged (${defect}); skipped`);
        else out.push({ meta: toMeta(r), blob: new Uint8Array(r.blob.buffer, r.blob.byteOffset, r.blob.byteLength), ...toContext(r) });
        if (firstOnly && out.length) break;
      }
    } catch (e) {
      this.problem(`device ${device}: reading its checkpoints failed after ${out.length} (${errText(e)})`);
    }
    return out;
  }

  checkpoint(device: string, blob: Uint8Array, readings: number, knownGood: boolean): CheckpointMeta {
    return this.checkpointMany([{ device, blob, readings, knownGood }])[0];
  }

  checkpointMany(items: CheckpointRequest[]): CheckpointMeta[] {
    this.ensureFile();
    const time = this.now();
    const last = new Map<string, number>();
    const good = new Map<string, number>();
    const metas = this.db.transaction(() =>
      items.map((it) => {
        const seq = (last.get(it.device) ?? this.lastSeq.get(it.device) ?? 0) + 1;
        const lkg = it.knownGood ? seq : (good.get(it.device) ?? this.lkgSeq.get(it.device) ?? -1);
        const crc = headerCrc(it.blob);
        const readings = Math.max(0, Math.floor(it.readings));
        const lastTs = it.lastTs !== undefined && Number.isFinite(it.lastTs) ? it.lastTs : null;
        const features = it.features !== undefined ? JSON.stringify(it.features) : null;
        const guard = it.guard !== undefined ? JSON.stringify(it.guard) : null;
        this.st.insert.run(it.device, seq, time, readings, crc, it.blob.length, it.knownGood ? 1 : 0, it.blob, lastTs, features, guard);
        this.st.prune.run(it.device, seq - this.history, lkg);
        last.set(it.device, seq);
        if (it.knownGood) good.set(it.device, seq);
        return { device: it.device, seq, time, readings, crc, bytes: it.blob.length, knownGood: it.knownGood };
      }),
    )();
    for (const [d, s] of last) this.lastSeq.set(d, s);
    for (const [d, s] of good) this.lkgSeq.set(d, s);
    return metas;
  }

  markKnownGood(device: string, seq: number): void {
    this.ensureFile();
    this.db.transaction(() => {
      if (this.st.mark.run(device, seq).changes === 0) return;
      const lkg = Math.max(seq, this.lkgSeq.get(device) ?? -1);
      this.st.prune.run(device, (this.lastSeq.get(device) ?? seq) - this.history, lkg);
      this.lkgSeq.set(device, lkg);
    })();
  }

  remove(device: string): void {
    this.ensureFile();
    this.st.remove.run(device);
    this.lastSeq.delete(device);
    this.lkgSeq.delete(device);
  }

  problems(): string[] {
    return [...this.issues];
  }

  /** Number of stored checkpoint rows (for tests and health). */
  rowCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM checkpoints").get() as { n: number }).n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      /* the WAL stays and is replayed on the next open */
    }
    this.db.close();
    this.lock.release();
  }

  /**
   * Before a write: is the file at `path` still the one the connection has open? A file deleted
   * while the host runs stays open (on Linux its inode lives on), and checkpoints written to it
   * would vanish at exit without a word: it is written again at `path` from the open connection,
   * every checkpoint kept, and the store goes on in the new file. A different file now at `path`
   * (moved there) is not written over: the write fails, and says so.
   */
  private ensureFile(): void {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (st && st.dev === this.file.dev && st.ino === this.file.ino) return this.ensureLog();
    if (st) {
      throw new Error(
        `state store ${this.path} was replaced by another file while running; checkpoints are not written over it (restart edgelearn to use that file)`,
      );
    }
    mkdirSync(dirname(this.path), { recursive: true });
    this.db.prepare("VACUUM INTO ?").run(this.path);
    const old = this.db;
    this.lock.release();
    try {
      this.lock = WriterLock.take(this.path);
      this.openFresh();
    } catch (e) {
      // The old connection stays: the next write finds a file at `path` that is not its own and says so.
      throw new Error(`state store ${this.path} was deleted while running and cannot be written again: ${errText(e)}`);
    }
    old.close();
    this.problem(`state store ${this.path} was deleted while running; written again from the open database (${this.rowCount()} checkpoints of ${this.lastSeq.size} devices kept)`);
  }

  /**
   * Before a write, the file itself in place: is its write-ahead log (`-wal`) still the one the
   * connection writes to? A commit is in the log until SQLite copies it into the file (about
   * every thousand pages, and at close). A log deleted while the host runs lives on as an open
   * inode: the checkpoints in it, and every later one, would be gone after a crash. They are
   * copied into the file now and the connection opened again, which starts a new log at the path.
   */
  private ensureLog(): void {
    if (this.db.open) {
      if (this.wal.ino === 0) return;
      const st = statSync(this.path + "-wal", { throwIfNoEntry: false });
      if (st && st.dev === this.wal.dev && st.ino === this.wal.ino) return;
      const [r] = this.db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      if (r?.busy) {
        throw new Error(`state store ${this.path}: its write-ahead log (-wal) was deleted while running and another connection is reading the file; checkpoints wait until the log can be copied into it`);
      }
      this.db.close();
    }
    // Also the retry after an open that failed below: the connection is closed, the file complete.
    try {
      this.openFresh();
    } catch (e) {
      throw new Error(`state store ${this.path}: its write-ahead log (-wal) was deleted while running; the file holds every checkpoint but cannot be opened again: ${errText(e)}`);
    }
    this.problem(`state store ${this.path}: its write-ahead log (-wal) was deleted while running; every checkpoint was copied into the file and a new log started (${this.rowCount()} checkpoints of ${this.lastSeq.size} devices kept)`);
  }
}

function toMeta(r: Row): CheckpointMeta {
  return {
    device: r.device,
    seq: r.seq,
    time: r.time,
    readings: r.readings,
    crc: r.crc,
    bytes: r.bytes,
    knownGood: r.known_good !== 0,
  };
}

/**
 * The context a row recorded; a features value that is not a JSON list of strings, or a guard
 * value that is not a JSON object, counts as not recorded.
 */
function toContext(r: Row): CheckpointContext {
  const features = parsed(r.features, (v): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string"));
  const guard = parsed(r.guard, (v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));
  return context({ lastTs: typeof r.last_ts === "number" ? r.last_ts : undefined, features, guard });
}

function parsed<T>(text: string | null | undefined, ok: (v: unknown) => v is T): T | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return ok(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every checkpoint row that can still be read from a damaged file, scanning from both ends.
 * Works on a scratch copy (the moved-aside file stays as it was found); a truncated copy is first
 * padded back to the size its header records, so SQLite reads the surviving pages instead of
 * refusing the whole schema.
 */
function salvage(path: string): Row[] {
  if (!existsSync(path)) return [];
  const scratch = `${path}.salvage`;
  const found = new Map<string, Row>();
  let db: Database.Database | undefined;
  try {
    // Copying needs space: a failure here (a full disk) is not "nothing to salvage" and goes to
    // the caller, which puts the damaged file back for a later start to try again.
    copyFileSync(path, scratch);
    if (existsSync(path + "-wal")) copyFileSync(path + "-wal", scratch + "-wal");
    const recorded = recordedSize(scratch);
    if (recorded > statSync(scratch).size) truncateSync(scratch, recorded);
    try {
      db = new Database(scratch, { fileMustExist: true, timeout: 1000 });
      for (const order of ["ASC", "DESC"]) {
        try {
          // Every column the file has: one written before last_ts, features and guard lacks them.
          const stmt = db.prepare(`SELECT * FROM checkpoints ORDER BY rowid ${order}`) as Stmt;
          for (const r of stmt.iterate()) {
            if (typeof r.device === "string" && Buffer.isBuffer(r.blob)) found.set(`${r.device}\u0000${r.seq}`, r);
          }
        } catch (e) {
          if (!nothingToRead(e)) throw e;
          /* stop this direction at the first unreadable page */
        }
      }
    } catch (e) {
      if (!nothingToRead(e)) throw e;
      /* not a database, or one without the table: nothing to salvage */
    }
  } finally {
    try {
      db?.close();
    } catch {
      /* ignore */
    }
    for (const ext of FILE_PARTS) rmSync(scratch + ext, { force: true });
  }
  return [...found.values()];
}

/** A salvage error that means the copy holds nothing more to read (damage, no such table or
 * column), not that it could not be read now (a full disk, an I/O error). */
function nothingToRead(e: unknown): boolean {
  return isDamage(e) || errorCode(e) === "SQLITE_ERROR";
}

/** Page size × page count from a SQLite file header, or 0 when there is no header. */
function recordedSize(path: string): number {
  const h = Buffer.alloc(100);
  const fd = openSync(path, "r");
  try {
    if (readSync(fd, h, 0, 100, 0) < 100 || h.toString("latin1", 0, 15) !== "SQLite format 3") return 0;
  } finally {
    closeSync(fd);
  }
  const pageSize = h.readUInt16BE(16) === 1 ? 65536 : h.readUInt16BE(16);
  return pageSize * h.readUInt32BE(28);
}

/**
 * Whether an error opening the file says the file itself is damaged (moved aside and salvaged),
 * rather than that it could not be opened now (disk full, busy, I/O, permissions: left alone).
 */
function isDamage(e: unknown): boolean {
  if (e instanceof Unreadable) return true;
  const code = errorCode(e);
  return code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB";
}

/**
 * A database that holds tables but no checkpoints is some other program's (a wrong store.path):
 * refused, never written into.
 */
function refuseForeign(path: string, db: Database.Database): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  if (tables.length === 0 || tables.includes("checkpoints")) return;
  throw new StoreOpenError(
    path,
    "NOT_A_STORE",
    `state store ${path} is a SQLite database of something else (tables ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""}, no checkpoints): ` +
      `the file was left as it is; check store.path`,
  );
}

/**
 * Fails now, rather than at the first checkpoint, when the file cannot be written: SQLite opens a
 * read-only file (permissions, a read-only mount, an immutable file) read-only without a word, and
 * refuses the first write with SQLITE_READONLY before it asks for any lock. Changes nothing. A
 * write lock another connection holds right now (SQLITE_BUSY, asked without waiting) is no reason
 * to stop: the open itself needed no write.
 */
function probeWrite(db: Database.Database, busyMs: number): void {
  db.pragma("busy_timeout = 0");
  try {
    db.transaction(() => db.prepare("DELETE FROM checkpoints WHERE 0").run())();
  } catch (e) {
    if (!errorCode(e).startsWith("SQLITE_BUSY")) throw e;
  } finally {
    db.pragma(`busy_timeout = ${busyMs}`);
  }
}

const OPEN_HINTS: [RegExp, string][] = [
  [/^SQLITE_BUSY|^SQLITE_LOCKED/, "another process holds its lock (a second edgelearn on the same file?)"],
  [/^SQLITE_FULL/, "the disk is full"],
  [/^SQLITE_READONLY/, "the file is read-only (its permissions, a read-only mount, an immutable file): edgelearn must write it and create files beside it"],
  [/^SQLITE_CANTOPEN|^SQLITE_PERM|^SQLITE_AUTH/, "check the path and its permissions (edgelearn creates files beside it, so its directory must be writable)"],
  [/^SQLITE_IOERR/, "an I/O error: check the disk"],
];

function openError(path: string, e: unknown): StoreOpenError {
  const code = errorCode(e) || "Error";
  const hint = OPEN_HINTS.find(([re]) => re.test(code))?.[1];
  return new StoreOpenError(
    path,
    code,
    `state store ${path} cannot be opened (${errText(e)})${hint ? `: ${hint}` : ""}; ` +
      `the file was left as it is (nothing moved or deleted); fix the cause and start again`,
  );
}

function errText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
}
