// The store's file deleted while the host runs: the open connection still writes to the deleted
// inode, so every checkpoint after it would vanish at exit without a word. The store writes the
// file again from its open connection (every checkpoint kept) and goes on there. A different file
// moved to the path is never written over. A deleted write-ahead log (-wal) is copied into the
// file and started again, so a crash after it loses nothing committed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../host/store/sqlite.js";
import { fakeBlob, tagOf } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

const SQLITE = fileURLToPath(new URL("../../host/store/sqlite.js", import.meta.url));
const FAKE_BLOB = fileURLToPath(new URL("./fake-blob.js", import.meta.url));

const removeStore = (path: string) => ["", "-wal", "-shm", ".lock"].forEach((ext) => rmSync(path + ext, { force: true }));

test("store file deleted while running: written again, earlier and later checkpoints all kept, said once", () => {
  const path = join(tempDir("deleted"), "state.db");
  const lines: string[] = [];
  const s = new SqliteStore({ path, log: (m) => lines.push(m) });
  s.checkpointMany([
    { device: "a", blob: fakeBlob(1), readings: 1, knownGood: true },
    { device: "b", blob: fakeBlob(2), readings: 1, knownGood: false },
  ]);
  removeStore(path);
  s.checkpoint("a", fakeBlob(3), 2, false);
  s.checkpoint("a", fakeBlob(4), 3, false);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /state\.db was deleted while running; written again from the open database \(2 checkpoints of 2 devices kept\)/);
  assert.deepEqual(s.problems(), lines);
  s.close();
  const after = new SqliteStore({ path });
  assert.deepEqual(after.candidates("a").map((c) => tagOf(c.blob)), [4, 3, 1]);
  assert.equal(after.lastKnownGood("a")!.meta.seq, 1);
  assert.deepEqual(after.devices(), ["a", "b"]);
  after.close();
});

test("another file moved to the store's path while running: never written over, the write fails saying so", () => {
  const dir = tempDir("replaced");
  const path = join(dir, "state.db");
  const s = new SqliteStore({ path });
  s.checkpoint("a", fakeBlob(1), 1, true);
  writeFileSync(join(dir, "other"), "someone else's file");
  renameSync(join(dir, "other"), path);
  assert.throws(() => s.checkpoint("a", fakeBlob(2), 2, true), /state\.db was replaced by another file while running; checkpoints are not written over it/);
  assert.equal(readFileSync(path, "utf8"), "someone else's file");
  s.close();
});

test("write-ahead log deleted while running, then a crash: every checkpoint is in the file, said once", () => {
  const path = join(tempDir("deleted-wal"), "state.db");
  // A process that checkpoints, loses its -wal, checkpoints twice more and is killed: no close,
  // so nothing but what reached the file survives it.
  const child = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { SqliteStore } = await import(${JSON.stringify(SQLITE)});
       const { fakeBlob } = await import(${JSON.stringify(FAKE_BLOB)});
       const { rmSync } = await import("node:fs");
       const path = ${JSON.stringify(path)};
       const s = new SqliteStore({ path, log: (m) => console.log(m) });
       s.checkpoint("a", fakeBlob(1), 1, true);
       rmSync(path + "-wal");
       s.checkpoint("a", fakeBlob(2), 2, false);
       s.checkpoint("b", fakeBlob(3), 1, true);
       process.kill(process.pid, "SIGKILL");`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(child.signal, "SIGKILL", child.stderr);
  const lines = child.stdout.trim().split("\n");
  assert.equal(lines.length, 1, child.stdout);
  assert.match(lines[0], /state\.db: its write-ahead log \(-wal\) was deleted while running; every checkpoint was copied into the file and a new log started \(1 checkpoints of 1 devices kept\)/);
  const after = new SqliteStore({ path });
  assert.deepEqual(after.candidates("a").map((c) => tagOf(c.blob)), [2, 1]);
  assert.deepEqual(after.candidates("b").map((c) => tagOf(c.blob)), [3]);
  after.close();
});
