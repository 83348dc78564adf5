// A store that cannot grow (full disk): reported in the host's health and once in the log,
// learning continues in memory, checkpoints resume when space returns. Made two ways: SQLite's
// max_page_count (the file cannot grow; runs anywhere), and, where this process may mount, a
// real tmpfs filled to the brim (ENOSPC from the kernel).
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { memoryLogger } from "../../host/logger.js";
import { tempDir } from "../helpers/tmp.js";
import { smallDisk } from "../helpers/tmpfs.js";

function run(store: SqliteStore) {
  let clock = 1_750_000_000_000;
  const config = loadConfig({
    env: {},
    overrides: { model: { task: "regression", target: "y", features: ["a", "b"] }, store: { type: "sqlite", history: 1000, checkpoint: { everyReadings: 5, everySeconds: 0 } } },
  });
  const { logger, lines } = memoryLogger("info");
  const s = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger, store, now: () => clock }).start();
  let i = 0;
  const feed = (n: number) => {
    for (let k = 0; k < n; k++, i++) for (const d of ["d1", "d2", "d3"]) s.handle(`sensors/${d}`, Buffer.from(JSON.stringify({ a: Math.sin(i), b: i % 7, y: 2 * Math.sin(i) + (i % 7) })));
    clock += 1000;
  };
  const newest = (d: string) => store.newest(d)?.meta.readings ?? 0;
  return { s, lines, feed, newest, tick: (ms: number) => (clock += ms) };
}

async function fullThenBack(store: SqliteStore, fill: () => void, free: () => void) {
  const { s, lines, feed, newest, tick } = run(store);
  feed(20);
  assert.ok(newest("d1") >= 15, "checkpoints are written");
  fill();
  const learnedBefore = s.counters.learned;
  for (let k = 0; k < 40; k++) feed(5);
  const h = s.hostHealth() as { store: { write_error?: { error: string; failures: number } } };
  assert.equal(h.store.write_error?.error, "disk full", JSON.stringify(h.store));
  assert.ok(s.counters.learned - learnedBefore >= 600, "learning continues");
  assert.ok(newest("d1") < 60, `no checkpoint while full (${newest("d1")})`);
  assert.equal(lines.filter((l) => /checkpoint failed: disk full/.test(l)).length, 1, "said once, not per reading");
  assert.equal(s.counters.internalErrors, 0);
  free();
  tick(10_000);
  feed(5);
  assert.equal((s.hostHealth() as { store: { write_error?: unknown } }).store.write_error, undefined);
  assert.ok(lines.some((l) => /checkpoints resumed/.test(l)), lines.join("\n"));
  assert.ok(newest("d1") >= 220, `checkpoints resumed (${newest("d1")})`);
  await s.stop();
}

test("full disk (SQLite file cannot grow): health and log say so, learning goes on, checkpoints resume", async () => {
  const dir = tempDir("diskfull");
  const store = new SqliteStore({ path: join(dir, "state.db"), history: 1000 });
  const db = (store as unknown as { db: { pragma(s: string, o?: object): unknown } }).db;
  await fullThenBack(
    store,
    () => db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`),
    () => db.pragma("max_page_count = 1000000"),
  );
});

test("full disk (a real tmpfs with no space left): the same", async (t) => {
  const mnt = smallDisk(t, "diskfull-tmpfs", "2m");
  if (!mnt) return;
  const store = new SqliteStore({ path: join(mnt, "state.db"), history: 1000 });
  const filler = join(mnt, "filler");
  await fullThenBack(
    store,
    () => {
      // fill every free block: 4 KiB writes until ENOSPC
      const fd = openSync(filler, "w");
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        // full
      } finally {
        closeSync(fd);
      }
    },
    () => rmSync(filler),
  );
});
