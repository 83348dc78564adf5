// One host per store file: a second store on the same file is refused before it reads or writes
// anything (two writers would interleave their checkpoints, and the first host's checkpoints of a
// device would fail for good once the second wrote one); the lock goes with the process that
// held it, however that process ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore, StoreOpenError } from "../../host/store/sqlite.js";
import { fakeBlob, tagOf } from "./fake-blob.js";
import { tempDir } from "../helpers/tmp.js";

const SQLITE = fileURLToPath(new URL("../../host/store/sqlite.js", import.meta.url));

const inUse = (e: unknown) =>
  e instanceof StoreOpenError && e.code === "SQLITE_BUSY" && /is in use by another process .*state\.db\.lock.*another edgelearn running on the same store/.test(e.message);

test("a second store on a file another one has open is refused; the first keeps writing; closing frees it", () => {
  const path = join(tempDir("writer-lock"), "state.db");
  const first = new SqliteStore({ path });
  first.checkpoint("d", fakeBlob(1), 1, true);
  const before = readFileSync(path);
  assert.throws(() => new SqliteStore({ path }), inUse);
  assert.deepEqual(readFileSync(path), before, "the refused store wrote nothing");
  first.checkpoint("d", fakeBlob(2), 2, true);
  assert.equal(tagOf(first.newest("d")!.blob), 2);
  first.close();
  const second = new SqliteStore({ path });
  assert.deepEqual(second.candidates("d").map((c) => c.meta.seq), [2, 1]);
  second.close();
});

test("another process holding the store: refused while it runs, free once it is killed", async () => {
  const path = join(tempDir("writer-lock-process"), "state.db");
  const holder = spawn(
    process.execPath,
    ["--input-type=module", "-e", `const { SqliteStore } = await import(${JSON.stringify(SQLITE)}); globalThis.held = new SqliteStore({ path: ${JSON.stringify(path)} }); console.log("open"); setInterval(() => {}, 1000);`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise((r) => holder.once("exit", r));
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (b: Buffer) => String(b).includes("open") && resolve());
      holder.once("exit", () => reject(new Error("the holder exited before opening the store")));
    });
    assert.throws(() => new SqliteStore({ path }), inUse);
  } finally {
    holder.kill("SIGKILL");
    await exited;
  }
  const after = new SqliteStore({ path });
  after.checkpoint("d", fakeBlob(3), 1, true);
  after.close();
});
