import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keeper } from "../../host/health/keeper.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { Kind, Learner, LearnerPool, type Output } from "../../host/learner/index.js";

function setup(path: string, events: unknown[] = []) {
  const pool = new LearnerPool(new Learner());
  const store = new SqliteStore({ path });
  const keeper = new Keeper(store, pool, (b) => pool.learner.validate(b), {
    checkpoint: { everyReadings: 50, everyMs: 0 },
    guard: { warmup: 20 },
    onEvent: (e) => events.push(e),
  });
  return { pool, store, keeper };
}

function learn(pool: LearnerPool, keeper: Keeper, device: string, n: number, t0: number) {
  const out = {} as Output;
  for (let t = t0; t < t0 + n; t++) {
    const l = pool.use(device);
    const x = [Math.sin(t), Math.cos(t)];
    l.learn(2 * x[0] - x[1] + 0.5, x);
    keeper.learned(device, Kind.Linear, l.output(out), t * 1000);
  }
}

test("keeper: checkpoints by policy, flushes on close, restores on the next start", () => {
  const path = join(mkdtempSync(join(tmpdir(), "edgelearn-keeper-")), "k.db");
  const a = setup(path);
  a.pool.create("d1", Kind.Linear, 2);
  a.pool.create("d2", Kind.Linear, 2);
  learn(a.pool, a.keeper, "d1", 120, 0);
  learn(a.pool, a.keeper, "d2", 30, 0);
  assert.equal(a.keeper.status("d1").lastCheckpoint?.readings, 100);
  assert.equal(a.keeper.status("d1").unsaved, 20);
  assert.equal(a.keeper.status("d2").lastCheckpoint, undefined);
  const before = a.pool.blob("d1")!;
  assert.equal(a.keeper.close(), 2);

  const b = setup(path);
  const res = b.keeper.restore();
  assert.deepEqual(res.map((r) => [r.device, r.restored?.meta.readings]), [["d1", 120], ["d2", 30]]);
  assert.deepEqual(b.pool.blob("d1"), before, "the restored state is bit-identical to the one flushed");
  learn(b.pool, b.keeper, "d1", 10, 120);
  b.keeper.close();
});

test("keeper: manual rollback returns to the last known-good state and records it", () => {
  const path = join(mkdtempSync(join(tmpdir(), "edgelearn-keeper-")), "r.db");
  const events: { type: string }[] = [];
  const k = setup(path, events);
  k.pool.create("d", Kind.Linear, 2);
  learn(k.pool, k.keeper, "d", 50, 0); // checkpoint 1, known-good (warm, healthy)
  const good = k.pool.blob("d")!;
  assert.equal(k.keeper.status("d").lastCheckpoint?.knownGood, true);
  learn(k.pool, k.keeper, "d", 30, 50);
  assert.equal(k.keeper.rollback("d", "command"), true);
  assert.deepEqual(k.pool.blob("d"), good);
  assert.deepEqual(events.map((e) => e.type), ["rollback"]);
  assert.equal(k.keeper.status("d").rollbacks, 1);
  assert.equal(k.store.candidates("d")[0].meta.knownGood, true);
  assert.equal(k.keeper.rollback("nobody", "command"), false);
  k.keeper.close();
});
