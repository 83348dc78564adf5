// One writer per store file. Two hosts checkpointing into one file would interleave their
// checkpoints: each numbers a device's checkpoints from what it read at start, so the second to
// write a number fails, and from then on every checkpoint of that device fails in that host.
//
// The lock is an exclusive SQLite lock held on a small file beside the store (`<store>.lock`)
// for as long as the store is open. The operating system drops it when the process ends, however
// it ends, so a crash never leaves a stale lock behind. The file itself stays: deleting it on
// close would let a starting host lock a new file while another still holds the old one.
// Readers (`edgelearn inspect`) open the store itself read-only and never need the lock.

import Database from "better-sqlite3";
import { StoreOpenError, errorCode } from "./open-error.js";

export class WriterLock {
  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {}

  /** Takes the lock of the store at `storePath` now, or throws StoreOpenError (SQLITE_BUSY when another process holds it). */
  static take(storePath: string): WriterLock {
    const path = `${storePath}.lock`;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 0 });
      // Exclusive locking mode: the lock taken by the first write transaction is kept until close.
      db.pragma("locking_mode = EXCLUSIVE");
      db.exec("BEGIN EXCLUSIVE; COMMIT");
      return new WriterLock(path, db);
    } catch (e) {
      try {
        db?.close();
      } catch {
        /* nothing held */
      }
      const code = errorCode(e) || "Error";
      if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
        throw new StoreOpenError(
          storePath,
          code,
          `state store ${storePath} is in use by another process (it holds ${path}): another edgelearn running on the same store? ` +
            `Two hosts on one file would interleave their checkpoints; stop the other one or give this one its own store.path`,
        );
      }
      throw new StoreOpenError(
        storePath,
        code,
        `state store ${storePath}: its lock file ${path} cannot be opened (${(e as Error)?.message ?? e}): check the directory and its permissions`,
      );
    }
  }

  release(): void {
    try {
      this.db.close();
    } catch {
      /* the lock goes with the process anyway */
    }
  }
}
