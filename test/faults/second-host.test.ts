// A second `edgelearn run` on a store another one is using: it exits 1 with one line saying so
// (no stack trace) and touches nothing; the first host goes on and stops cleanly. No broker is
// needed: the store is opened before connecting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnHost, writeHostConfig, type HostProcess } from "./host-process.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a second edgelearn run on the same store: exit 1, one line naming the store and the lock", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-second-host-"));
  const dbPath = join(dir, "state.db");
  let second: HostProcess | undefined;
  const first = spawnHost(writeHostConfig(dir, { url: "mqtt://127.0.0.1:1", clientId: "first", dbPath, everyReadings: 100 }));
  try {
    while (!/edgelearn running/.test(first.log()) && first.child.exitCode === null) await sleep(50);
    assert.match(first.log(), /edgelearn running/);
    const before = readFileSync(dbPath);
    second = spawnHost(writeHostConfig(dir, { url: "mqtt://127.0.0.1:1", clientId: "second", dbPath, everyReadings: 100 }));
    assert.equal(await second.exited, 1, second.log());
    const lines = second.log().trim().split("\n");
    assert.equal(lines.length, 1, second.log());
    assert.match(lines[0], /cannot start: state store .*state\.db is in use by another process \(it holds .*state\.db\.lock\)/);
    assert.deepEqual(readFileSync(dbPath), before);
    assert.equal(first.child.exitCode, null, "the first host still runs");
    first.child.kill("SIGTERM");
    assert.equal(await first.exited, 0, first.log().slice(-2000));
  } finally {
    first.child.kill("SIGKILL");
    second?.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
