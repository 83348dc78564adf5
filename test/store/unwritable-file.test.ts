// A store file that cannot be written (a read-only mount, permissions, an immutable file) is
// refused when the store opens, not at the first checkpoint minutes later: SQLite would open it
// read-only without a word. Made with a read-only bind mount of the file where this process may
// mount (root), else with file permissions (which root ignores).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore, StoreOpenError } from "../../host/store/sqlite.js";
import { fakeBlob } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

/** Makes `path` read-only for this process; undefined when it cannot here. Returns the undo. */
function readOnly(path: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o444);
    return () => chmodSync(path, 0o644);
  }
  try {
    execFileSync("mount", ["--bind", path, path], { stdio: "pipe" });
  } catch {
    return undefined;
  }
  try {
    execFileSync("mount", ["-o", "remount,bind,ro", path], { stdio: "pipe" });
  } catch {
    execFileSync("umount", [path], { stdio: "pipe" });
    return undefined;
  }
  // Lazy: a store left open by a failing assertion must not keep the mount behind.
  return () => execFileSync("umount", ["-l", path], { stdio: "pipe" });
}

test("a read-only store file: refused at open with SQLITE_READONLY and a hint, the file untouched", (t) => {
  const path = join(tempDir("readonly"), "state.db");
  const s = new SqliteStore({ path });
  s.checkpoint("d", fakeBlob(1), 1, true);
  s.close();
  const undo = readOnly(path);
  if (!undo) {
    t.skip("cannot make a file read-only for this process here");
    return;
  }
  const before = readFileSync(path);
  try {
    assert.throws(
      () => new SqliteStore({ path }).close(),
      (e: unknown) =>
        e instanceof StoreOpenError && e.code === "SQLITE_READONLY" && /state\.db cannot be opened \(SQLITE_READONLY.*the file is read-only.*left as it is/.test(e.message),
    );
    assert.deepEqual(readFileSync(path), before);
  } finally {
    undo();
  }
  const again = new SqliteStore({ path });
  assert.deepEqual(again.devices(), ["d"], "writable again: every checkpoint is there");
  again.close();
});
