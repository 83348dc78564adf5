// A damaged store is moved aside and salvaged into a fresh file. When that recovery cannot finish
// (here: a full disk), the damaged file must be back at the store's path, so the next start,
// with space again, recovers from it instead of finding no file and starting every device empty.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, copyFileSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Kind, Learner } from "../../host/learner/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { WriterLock } from "../../host/store/writer-lock.js";
import { tempDir } from "../helpers/tmp.js";
import { smallDisk } from "../helpers/tmpfs.js";

test("a recovery stopped by a full disk puts the damaged file back; with space again it is recovered", async (t) => {
  const mnt = smallDisk(t, "recovery-full", "1m");
  if (!mnt) return;
  const dir = tempDir("recovery-built");

  // A store of 40 devices, damaged by a truncation that keeps some pages readable.
  const built = join(dir, "built.db");
  const l = new Learner().create(Kind.Linear, 2);
  const s = new SqliteStore({ path: built, history: 3 });
  for (let r = 0; r < 3; r++) {
    s.checkpointMany(Array.from({ length: 40 }, (_, d) => (l.learn(d + r, [Math.sin(d), r]), { device: `dev${d}`, blob: l.snapshot(), readings: r + 1, knownGood: true })));
  }
  s.close();
  const path = join(mnt, "state.db");
  copyFileSync(built, path);
  truncateSync(path, Math.floor(statSync(path).size * 0.6));
  const damaged = readFileSync(path);

  // The lock file exists already (a host ran on this store before): only the salvage needs space.
  WriterLock.take(path).release();
  // Fill the disk but for 40 KiB: enough to open the file and find it damaged, not to salvage it.
  const filler = join(mnt, "filler");
  const fd = openSync(filler, "w");
  try {
    for (const chunk = Buffer.alloc(4096, 1); ; ) writeSync(fd, chunk);
  } catch {
    // full
  } finally {
    closeSync(fd);
  }
  truncateSync(filler, statSync(filler).size - 40 * 1024);

  assert.throws(() => new SqliteStore({ path, history: 3 }), /state\.db cannot be opened \(ENOSPC/);
  assert.deepEqual(readFileSync(path), damaged, "the damaged file is back where it was, unchanged");
  assert.deepEqual(readdirSync(mnt).filter((f) => f.includes("unreadable")), [], "no half-made copy left aside");

  rmSync(filler);
  const problems: string[] = [];
  const again = new SqliteStore({ path, history: 3, log: (m) => problems.push(m) });
  try {
    assert.match(problems.join("\n"), /moved it to .*unreadable.*recovered [1-9]\d* checkpoint/);
    assert.ok(again.newest("dev0"), "the devices it held are recovered");
  } finally {
    again.close();
  }
});
