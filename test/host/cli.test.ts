import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../../host/cli/main.js";
import { cli } from "../helpers/cli.js";
import { Learner, Kind } from "../../host/learner/index.js";
import { tempDir } from "../helpers/tmp.js";
import { conceptChange } from "../helpers/concept-change.js";

const dir = tempDir("cli");

test("help and usage errors", async () => {
  assert.equal((await cli()).code, EXIT.USAGE);
  const h = await cli("--help");
  assert.equal(h.code, 0);
  assert.match(h.out, /Exit codes:/);
  for (const c of ["run", "demo", "replay", "inspect"]) {
    const r = await cli(c, "--help");
    assert.equal(r.code, 0, c);
    assert.match(r.out, new RegExp(`Usage: edgelearn ${c}`));
  }
  const u = await cli("frobnicate");
  assert.equal(u.code, EXIT.USAGE);
  assert.match(u.err, /unknown command "frobnicate"/);
  assert.equal((await cli("run")).code, EXIT.USAGE);
  const bad = await cli("run", "--broker", "mqtt://x", "--bogus");
  assert.equal(bad.code, EXIT.USAGE);
  assert.match(bad.err, /--bogus/);
  assert.match((await cli("--version")).out, /^edgelearn \d+\.\d+\.\d+/);
});

test("demo: a rate of 0 and a fractional seed are bad usage, before anything starts", async () => {
  // --rate 0 ran at the default 50 readings/s without a word; --seed 1.5 ran as another seed.
  for (const [option, value, want] of [["--rate", "0", /--rate must be a number above 0, got "0"/], ["--seed", "1.5", /--seed must be an integer ≥ 0, got "1\.5"/], ["--duration", "x", /--duration must be a number ≥ 0/]] as const) {
    const r = await cli("demo", option, value);
    assert.equal(r.code, EXIT.USAGE, `${option} ${value}: ${r.err}`);
    assert.match(r.err, want);
  }
});

test("--help names every command an unreadable input file exits 4 for", async () => {
  const line = (await cli("--help")).out.split("\n").find((l) => /^\s+4\s/.test(l)) ?? "";
  for (const c of ["replay", "inspect", "compare"]) {
    const r = await cli(c, join(dir, "does-not-exist.csv"), ...(c === "inspect" ? [] : ["--task", "regression", "--target", "y"]));
    assert.equal(r.code, EXIT.BAD_INPUT, `${c}: ${r.err}`);
    assert.match(line, new RegExp(`\\b${c}\\b`), `--help's exit code 4 line does not name ${c}: ${line}`);
  }
});

test("run: an invalid configuration exits 2 before connecting, naming each bad key", async () => {
  const f = join(dir, "bad.yaml");
  writeFileSync(f, "mqtt:\n  url: http://nope\n  keepalive: -1\nmodel:\n  task: regression\n");
  const r = await cli("run", "--config", f);
  assert.equal(r.code, EXIT.USAGE);
  assert.match(r.err, /mqtt\.url: "http:\/\/nope" is not valid/);
  assert.match(r.err, /mqtt\.keepalive: must be >= 0/);
  const r2 = await cli("run", "--broker", "mqtt://localhost:1", "--task", "regression");
  assert.equal(r2.code, EXIT.USAGE);
  assert.match(r2.err, /model\.target: required for task "regression"/);
  // A value given as an option is named by the option, as one from the environment is by its variable.
  const r4 = await cli("run", "--broker", "notaurl", "--task", "regresion", "--log-level", "loud");
  assert.equal(r4.code, EXIT.USAGE);
  assert.match(r4.err, /mqtt\.url: "notaurl" is not valid: .* \(set by --broker\)\n/);
  assert.match(r4.err, /model\.task: expected one of .*, got "regresion" \(set by --task\)\n/);
  assert.match(r4.err, /log\.level: expected one of .*, got "loud" \(set by --log-level\)\n/);
  const r3 = await cli("run", "--config", join(dir, "missing.yaml"));
  assert.equal(r3.code, EXIT.USAGE);
  assert.match(r3.err, /cannot read \(ENOENT\)/);
});

test("replay: prequential summary as the last stdout line, predictions file, drift rows", async () => {
  const csv = join(dir, "data.csv");
  const rows = ["time,a,b,y"];
  let i = 0;
  for (const { a, b, y } of conceptChange(3000, 1500, 1, 0.05)) rows.push(`2024-01-01T00:${i++},${a},${b},${y}`);
  rows.push("2024-01-02,oops,1,1");
  writeFileSync(csv, rows.join("\n") + "\n");
  const preds = join(dir, "preds.csv");
  const r = await cli("replay", csv, "--task", "regression", "--target", "y", "--predictions", preds, "--quiet");
  assert.equal(r.code, 0, r.err);
  const last = JSON.parse(r.out.trim().split("\n").at(-1)!);
  assert.equal(last.rows, 3001);
  assert.equal(last.rejected, 1);
  assert.equal(last.rejected_by_reason.nonfinite, 1);
  assert.ok(last.learned >= 2990);
  assert.ok(last.metrics.mae > 0 && last.metrics.rmse > 0);
  assert.ok(Array.isArray(last.drifts));
  assert.ok(last.drifts.some((d: number) => d >= 1500 && d < 1800), `drifts ${last.drifts}`);
  assert.ok(typeof last.seconds === "number");
  const p = readFileSync(preds, "utf8").trim().split("\n");
  assert.equal(p.length, 3002);
  assert.equal(p[0], "row,prediction,score,label,flags");
  assert.equal((await cli("replay", csv, "--task", "regression", "--target", "nope")).code, EXIT.BAD_INPUT);
  assert.equal((await cli("replay", join(dir, "none.csv"), "--task", "regression", "--target", "y")).code, EXIT.BAD_INPUT);
  assert.equal((await cli("replay", csv, "--task", "regression")).code, EXIT.USAGE);
  const cls = await cli("replay", csv, "--task", "anomaly", "--features", "a,b", "--quiet");
  assert.equal(cls.code, 0, cls.err);
  assert.equal(typeof JSON.parse(cls.out.trim()).metrics.anomalies, "number");
});

test("inspect: valid blob (kind, params, counts, metrics, CRC), damaged blob exits 5, missing file 4", async () => {
  const l = new Learner().create(Kind.Linear, 3);
  for (let i = 0; i < 100; i++) l.learn(i % 10, [i % 10, 1, (i * 7) % 5]);
  const f = join(dir, "state.bin");
  const blob = l.snapshot();
  writeFileSync(f, blob);
  const r = await cli("inspect", f, "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.valid, true);
  assert.match(j.kind, /Linear/);
  assert.equal(j.features, 3);
  assert.equal(j.crc.ok, true);
  assert.equal(j.counts.Readings, 100);
  assert.equal(typeof j.metrics.MAE, "number");
  const text = await cli("inspect", f);
  assert.match(text.out, /valid\s+true/);
  const bad = blob.slice();
  bad[bad.length - 3] ^= 0x40;
  writeFileSync(f, bad);
  const r2 = await cli("inspect", f, "--json");
  assert.equal(r2.code, EXIT.INVALID_BLOB);
  const j2 = JSON.parse(r2.out);
  assert.equal(j2.crc.ok, false);
  assert.match(j2.error, /ERR_CRC/);
  assert.equal((await cli("inspect", join(dir, "nope.bin"))).code, EXIT.BAD_INPUT);
});

test("inspect names every kind's task: a MEAN baseline blob is a regression model", async () => {
  const l = new Learner().create(Kind.Mean, 2);
  for (let i = 0; i < 20; i++) l.learn(i, [i, 1]);
  const f = join(dir, "mean.bin");
  writeFileSync(f, l.snapshot());
  const r = await cli("inspect", f, "--json");
  assert.equal(r.code, 0, r.err);
  assert.match(JSON.parse(r.out).kind, /\(7, regression\)/);
});

test("inspect a SQLite store: list devices and checkpoints, decode one device's newest or a given seq", async () => {
  const { SqliteStore } = await import("../../host/store/sqlite.js");
  const path = join(dir, "store", "edgelearn.db");
  const store = new SqliteStore({ path });
  const l = new Learner().create(Kind.Logistic, 2);
  store.checkpoint("door-1", l.snapshot(), 0, true);
  for (let i = 0; i < 50; i++) l.learn(i % 2, [i % 2, 1]);
  store.checkpoint("door-1", l.snapshot(), 50, false);
  store.close();
  const list = await cli("inspect", path, "--json");
  assert.equal(list.code, 0, list.err);
  assert.deepEqual(JSON.parse(list.out).checkpoints.map((c: { seq: number }) => c.seq), [2, 1]);
  assert.match((await cli("inspect", path)).out, /1 devices, 2 checkpoints/);
  const one = await cli("inspect", path, "--device", "door-1", "--json");
  assert.equal(one.code, 0, one.err);
  const j = JSON.parse(one.out);
  assert.equal(j.seq, 2);
  assert.equal(j.valid, true);
  assert.equal(j.counts.Readings, 50);
  assert.equal(JSON.parse((await cli("inspect", path, "--device", "door-1", "--seq", "1", "--json")).out).counts.Readings, 0);
  assert.equal((await cli("inspect", path, "--device", "nope")).code, EXIT.BAD_INPUT);
});
