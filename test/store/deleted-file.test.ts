// The store's file deleted while the host runs: the open connection still writes to the deleted
// inode, so every checkpoint after it would vanish at exit without a word. The store writes the
// file again from its open connection (every checkpoint kept) and goes on there. A different file
// moved to the path is never written over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../../host/store/sqlite.js";
import { fakeBlob, tagOf } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

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
