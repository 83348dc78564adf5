// store.path naming some other program's SQLite database (a typo, a shared data directory): the
// store refuses it and writes nothing into it, rather than adding its table and version to it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore, StoreOpenError } from "../../host/store/sqlite.js";
import { tempDir } from "../helpers/tmp.js";

test("a SQLite database without a checkpoints table: refused, left byte for byte as it was", () => {
  const path = join(tempDir("foreign"), "app.db");
  const other = new Database(path);
  other.exec("CREATE TABLE readings (t INTEGER, v REAL); INSERT INTO readings VALUES (1, 2.5)");
  other.close();
  const before = readFileSync(path);
  assert.throws(
    () => new SqliteStore({ path }),
    (e: unknown) => e instanceof StoreOpenError && e.code === "NOT_A_STORE" && /app\.db is a SQLite database of something else \(tables readings, no checkpoints\).*left as it is; check store\.path/.test(e.message),
  );
  assert.deepEqual(readFileSync(path), before);
});

test("an empty SQLite file is still taken as a new store", () => {
  const path = join(tempDir("foreign-empty"), "state.db");
  new Database(path).close();
  const s = new SqliteStore({ path });
  assert.deepEqual(s.devices(), []);
  s.close();
});
