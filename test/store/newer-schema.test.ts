// A store file written by a newer edgelearn (a higher user_version) after a downgrade: nothing is
// wrong with it, so it is refused at open and left as it is, not moved aside and salvaged, which
// would fork every device's state into a new file the newer release would not be pointed at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore, StoreOpenError } from "../../host/store/sqlite.js";
import { fakeBlob } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

function setVersion(path: string, v: number): void {
  const db = new Database(path);
  db.pragma(`user_version = ${v}`);
  db.close();
}

test("a file of a newer schema: refused with NEWER_SCHEMA, left byte for byte, nothing moved aside", () => {
  const path = join(tempDir("newer-schema"), "state.db");
  const s = new SqliteStore({ path });
  s.checkpoint("d", fakeBlob(1), 1, true);
  s.close();
  setVersion(path, 2);
  const before = readFileSync(path);
  assert.throws(
    () => new SqliteStore({ path }).close(),
    (e: unknown) =>
      e instanceof StoreOpenError && e.code === "NEWER_SCHEMA" &&
      /state\.db was written by a newer edgelearn \(schema 2; this one reads up to 1\): the file was left as it is/.test(e.message),
  );
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(dirname(path)).filter((f) => f.includes("unreadable")), []);
  // The refusal let go of the store's lock: the file opens once its version is one this reads.
  setVersion(path, 1);
  const again = new SqliteStore({ path });
  assert.deepEqual(again.devices(), ["d"]);
  again.close();
});
