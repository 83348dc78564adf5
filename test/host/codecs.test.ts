import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parsePayload, extract, inferFeatures, parseTimestamp, type Extracted, type FieldPlan } from "../../host/codecs/index.js";

const enc = (s: string) => Buffer.from(s);
const plan: FieldPlan = { features: ["temperature", "humidity"], target: "power", tsField: "ts" };
const NOW = 1_732_612_345_000;

function one(payload: string, p: FieldPlan = plan) {
  const parsed = parsePayload(enc(payload), "auto", 1024, NOW);
  if (typeof parsed === "string") return { reason: parsed };
  assert.equal(parsed.kind, "flat");
  const out = new Float32Array(32);
  const res: Extracted = { y: 0, ts: 0 };
  const reason = extract(parsed.kind === "flat" ? parsed.obj : new Map(), p, out, res, NOW);
  return { reason, out, res };
}

test("flat JSON: features in configured order, target, ms timestamp", () => {
  const r = one('{"ts": 1732612345123, "humidity": 40.25, "temperature": 21.5, "power": 3}');
  assert.equal(r.reason, null);
  assert.deepEqual([r.out![0], r.out![1]], [21.5, 40.25]);
  assert.equal(r.res!.y, 3);
  assert.equal(r.res!.ts, 1732612345123);
});

test("flat JSON: ISO 8601 and seconds timestamps, default to arrival", () => {
  assert.equal(one('{"ts":"2024-11-26T09:12:25.000Z","temperature":1,"humidity":2}').res!.ts, Date.parse("2024-11-26T09:12:25Z"));
  assert.equal(one('{"ts":1732612345,"temperature":1,"humidity":2}').res!.ts, 1732612345000);
  assert.equal(one('{"temperature":1,"humidity":2}').res!.ts, NOW);
  assert.equal(one('{"ts":"yesterday","temperature":1,"humidity":2}').reason, "bad_timestamp");
  assert.ok(Number.isNaN(parseTimestamp(-5)));
  assert.equal(parseTimestamp(1732612345.1234), 1732612345123, "seconds with a fraction: whole ms");
  assert.equal(parseTimestamp(1732612345000.6), 1732612345001, "ms with a fraction: rounded");
});

test("ISO 8601 without an offset is UTC on a gateway in any time zone (here New York), with or without T and seconds", () => {
  // A child process, so TZ is set before its first Date use: the result must not depend on it.
  const codecs = new URL("../../host/codecs/index.js", import.meta.url).href;
  const child = `
    const { parsePayload, extract } = await import(${JSON.stringify(codecs)});
    const plan = { features: ["temperature", "humidity"], tsField: "ts" };
    const ts = (t) => {
      const p = parsePayload(Buffer.from(JSON.stringify({ ts: t, temperature: 1, humidity: 2 })), "auto", 1024, 0);
      const res = { y: 0, ts: 0 };
      return extract(p.obj, plan, new Float32Array(2), res, 0) ?? res.ts;
    };
    const zoneMinutes = new Date(Date.UTC(2024, 2, 1, 12)).getTimezoneOffset();
    console.log(JSON.stringify({ zoneMinutes, times: ["2024-03-01T12:00:00", "2024-03-01 12:00", "2024-03-01T12:00:00.250", "2024-03-01", "2024-03-01T12:00:00+01:00"].map(ts) }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", child], { env: { ...process.env, TZ: "America/New_York" }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const { zoneMinutes, times } = JSON.parse(r.stdout) as { zoneMinutes: number; times: number[] };
  assert.equal(zoneMinutes, 300, "the child runs 5 hours behind UTC, so local time would show");
  const noon = Date.UTC(2024, 2, 1, 12);
  assert.deepEqual(times, [noon, noon, noon + 250, Date.UTC(2024, 2, 1), noon - 3_600_000]);
});

test("ISO 8601: a day the month does not have, a time that does not exist, or another form is bad_timestamp (no rollover)", () => {
  const ts = (t: string) => one(`{"ts":"${t}","temperature":1,"humidity":2}`);
  for (const t of ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31", "1900-02-29", "2024-13-01", "2024-03-01T23:60:00Z", "2024-03-01T24:00:01Z", "2024-03-01T12:00:00+24:00", "2024-03-01 ", "2024-03-01 12:00:00 EST", "2024-03-01 12:00:00  +0100", "2024-03-01 12:00:00 +0100 ", "2024-03-01Z"]) {
    assert.equal(ts(t).reason, "bad_timestamp", t);
  }
  assert.equal(ts("2024-02-29T00:00:00Z").res!.ts, Date.UTC(2024, 1, 29), "a leap day");
  assert.equal(ts("2000-02-29").res!.ts, Date.UTC(2000, 1, 29), "a leap day in a year divisible by 400");
  assert.equal(ts("2024-03-01T24:00:00Z").res!.ts, Date.UTC(2024, 2, 2), "24:00 ends the day");
  assert.equal(ts("2024-03-01t12:00:00.1239z").res!.ts, Date.UTC(2024, 2, 1, 12, 0, 0, 123), "lower-case t and z; the fraction is cut to ms");
  assert.equal(ts("2024-03-01T12:00:00-0130").res!.ts, Date.UTC(2024, 2, 1, 13, 30), "an offset without a colon");
  assert.equal(ts("0070-01-01T00:00:00Z").reason, "bad_timestamp", "year 70, not 1970");
  // What common loggers print: Go's default format, a space before the offset, UTC or GMT by name.
  assert.equal(ts("2024-03-01 12:00:00.123456789 -0700 MST").res!.ts, Date.UTC(2024, 2, 1, 19, 0, 0, 123), "the offset rules, not the abbreviation");
  assert.equal(ts("2024-03-01 12:00:00 +0100").res!.ts, Date.UTC(2024, 2, 1, 11));
  assert.equal(ts("2024-03-01 12:00:00 UTC").res!.ts, Date.UTC(2024, 2, 1, 12));
  assert.equal(ts("2024-03-01 12:00:00 GMT").res!.ts, Date.UTC(2024, 2, 1, 12));
});

test("flat JSON: ts null is the time of arrival, as an absent ts", () => {
  const r = one('{"ts":null,"temperature":1,"humidity":2}');
  assert.equal(r.reason, null);
  assert.equal(r.res!.ts, NOW);
  assert.equal(r.res!.explicitTs, false, "not the reading's own time, so it cannot make a redelivery look like a duplicate");
  assert.equal(one('{"temperature":1,"humidity":2}').res!.explicitTs, false);
});

test("flat JSON: booleans are 0/1, null is NaN, a missing target is NaN (predict only)", () => {
  const r = one('{"temperature": true, "humidity": null}');
  assert.equal(r.reason, null);
  assert.equal(r.out![0], 1);
  assert.ok(Number.isNaN(r.out![1]));
  assert.ok(Number.isNaN(r.res!.y));
});

test("bad input gets a reason", () => {
  assert.equal(one("{nope").reason, "malformed_json");
  assert.equal(one("").reason, "malformed_json");
  assert.equal(one("42").reason, "not_object");
  assert.equal(one('"text"').reason, "not_object");
  assert.equal(one('{"temperature":"21.5","humidity":1}').reason, "wrong_type");
  assert.equal(one('{"temperature":"NaN","humidity":1}').reason, "wrong_type");
  assert.equal(one('{"temperature":[1],"humidity":1}').reason, "wrong_type");
  assert.equal(one('{"temperature":1}').reason, "missing_field");
  assert.equal(one('{"temperature":1,"humidity":2,"power":"high"}').reason, "wrong_type");
  assert.equal(parsePayload(enc(`{"a":"${"x".repeat(2000)}"}`), "auto", 1024, NOW), "too_large");
  assert.equal(parsePayload(enc("[1,2]"), "auto", 1024, NOW), "bad_senml");
  assert.equal(parsePayload(enc("[]"), "auto", 1024, NOW), "bad_senml");
  assert.equal(parsePayload(enc('{"a":1}'), "senml", 1024, NOW), "bad_senml");
  assert.equal(parsePayload(enc('[{"n":"a","v":1}]'), "json", 1024, NOW), "not_object");
});

test("a UTF-8 byte order mark before the JSON is skipped: flat and SenML, Buffer and plain Uint8Array", () => {
  const bom = (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), enc(s)]);
  const flat = parsePayload(bom('{"temperature":1,"humidity":2}'), "auto", 1024, NOW);
  assert.deepEqual(flat, { kind: "flat", obj: { temperature: 1, humidity: 2 } });
  const plain = bom(' {"temperature":1}');
  const copy = new Uint8Array(new ArrayBuffer(plain.length + 4), 4, plain.length);
  copy.set(plain);
  assert.deepEqual(parsePayload(copy, "json", 1024, NOW), { kind: "flat", obj: { temperature: 1 } });
  const senml = parsePayload(bom('[{"n":"x","v":1,"t":1.7e9}]'), "senml", 1024, NOW);
  assert.ok(typeof senml !== "string" && senml.kind === "senml" && senml.readings[0].fields.get("x") === 1);
  assert.equal(parsePayload(bom(""), "auto", 1024, NOW), "malformed_json", "a mark and nothing else");
  assert.equal(parsePayload(Buffer.concat([bom(""), bom("{}")]), "auto", 1024, NOW), "malformed_json", "only one mark is skipped");
});

test("own properties only: __proto__ and inherited names are not fields", () => {
  assert.equal(one('{"temperature":1,"humidity":2,"__proto__":{"power":5}}').res!.y !== 5, true);
  assert.equal(one('{"constructor":1,"humidity":2}', { features: ["constructor", "toString"], tsField: "ts" }).reason, "missing_field");
});

test("SenML: base name, base time, relative time, grouping by time, booleans", () => {
  const pack = [
    { bn: "urn:dev:mac:0024befffe804ff1:", bt: 1.732612345e9, n: "temperature", v: 21.5, u: "Cel" },
    { n: "humidity", v: 40, u: "%RH" },
    { n: "power", vb: true },
    { n: "temperature", v: 22, t: 10 },
    { n: "humidity", v: 41, t: 10 },
  ];
  const parsed = parsePayload(enc(JSON.stringify(pack)), "auto", 4096, NOW);
  assert.ok(typeof parsed !== "string" && parsed.kind === "senml");
  if (typeof parsed === "string" || parsed.kind !== "senml") return;
  assert.equal(parsed.readings.length, 2);
  const [a, b] = parsed.readings;
  assert.equal(a.ts, 1732612345000);
  assert.equal(b.ts, 1732612355000);
  const out = new Float32Array(32);
  const res: Extracted = { y: 0, ts: 0 };
  assert.equal(extract(a.fields, plan, out, res, NOW, a.ts), null);
  assert.deepEqual([out[0], out[1], res.y, res.ts], [21.5, 40, 1, 1732612345000]);
  assert.equal(extract(b.fields, plan, out, res, NOW, b.ts), null);
  assert.ok(Number.isNaN(res.y));
  // inference sees each field once, by its short name
  assert.deepEqual(a.names, ["temperature", "humidity", "power"]);
  // full resolved names work too
  assert.equal(a.fields.get("urn:dev:mac:0024befffe804ff1:temperature"), 21.5);
  // relative times (< 2^28 s) count from now
  const rel = parsePayload(enc('[{"n":"x","v":1,"t":-5}]'), "auto", 4096, NOW);
  assert.ok(typeof rel !== "string" && rel.kind === "senml" && rel.readings[0].ts === NOW - 5000);
  // bv adds to v
  const bv = parsePayload(enc('[{"bv":10,"n":"x","v":1}]'), "auto", 4096, NOW);
  assert.ok(typeof bv !== "string" && bv.kind === "senml" && bv.readings[0].fields.get("x") === 11);
});

test("SenML: relative times are rounded to whole ms, as absolute times are", () => {
  const times = (s: string, now = NOW) => {
    const p = parsePayload(enc(s), "senml", 4096, now);
    return typeof p === "string" ? p : p.kind === "senml" ? p.readings.map((r) => r.ts) : [];
  };
  assert.deepEqual(times('[{"n":"x","v":1,"t":-5.0007}]'), [NOW - 5001]);
  assert.deepEqual(times('[{"bt":-10,"n":"x","v":1,"t":0.0001},{"n":"y","v":2,"t":0.0004}]'), [NOW - 10000], "times that round to the same ms: one reading");
  assert.deepEqual(times('[{"bt":1.7e9,"n":"x","v":1,"t":0.0001},{"n":"y","v":2,"t":0.0004}]'), [1.7e12], "the same for absolute times");
  assert.deepEqual(times('[{"n":"x","v":1,"t":-1}]', NOW + 0.25), [NOW - 1000], "a clock with a fraction of a ms");
});

test("SenML: invalid packs", () => {
  const bad = (s: string) => parsePayload(enc(s), "auto", 4096, NOW);
  assert.equal(bad('[{"n":5,"v":1}]'), "bad_senml");
  assert.equal(bad('[{"n":"a"}]'), "bad_senml");
  assert.equal(bad('[{"n":"a","v":"1"}]'), "wrong_type");
  assert.equal(bad('[{"v":1}]'), "bad_senml");
  assert.equal(bad('[{"n":"a","v":1,"t":"now"}]'), "bad_senml");
  const s = bad('[{"n":"temperature","vs":"hot"},{"n":"humidity","v":1}]');
  assert.ok(typeof s !== "string" && s.kind === "senml");
  if (typeof s === "string" || s.kind !== "senml") return;
  assert.equal(extract(s.readings[0].fields, plan, new Float32Array(32), { y: 0, ts: 0 }, NOW, 0), "wrong_type");
});

test("timestamps must be finite times between 1970 and 2200: else bad_timestamp, flat and SenML", () => {
  for (const ts of ["1e300", "1e400", "-1", "-1732612345000", "7258118400001", '"9999-12-31T00:00:00Z"', '"+275760-09-13"']) {
    assert.equal(one(`{"ts":${ts},"temperature":1,"humidity":2}`).reason, "bad_timestamp", `ts ${ts}`);
  }
  assert.equal(one('{"ts":7258118400000,"temperature":1,"humidity":2}').res!.ts, 7258118400000, "2200-01-01 itself");
  assert.equal(one('{"ts":0,"temperature":1,"humidity":2}').res!.ts, 0, "1970-01-01 itself");
  const senml = (s: string) => parsePayload(enc(s), "auto", 4096, NOW);
  assert.equal(senml('[{"bt":1e306,"n":"temperature","v":1}]'), "bad_timestamp", "× 1000 overflows to Infinity");
  assert.equal(senml('[{"bt":-1e306,"n":"temperature","v":1}]'), "bad_timestamp", "relative, to -Infinity");
  assert.equal(senml('[{"bt":1e12,"n":"temperature","v":1}]'), "bad_timestamp", "year 33658");
  assert.equal(senml('[{"bt":1.7e9,"n":"a","v":1},{"n":"a","v":2,"t":1e300}]'), "bad_timestamp", "one record's time refuses the pack");
  const ok = senml('[{"bt":1.7e9,"n":"temperature","v":1}]');
  assert.ok(typeof ok !== "string" && ok.kind === "senml" && ok.readings[0].ts === 1.7e12);
});

test("feature inference: numeric and boolean fields, sorted, without target and ts", () => {
  assert.deepEqual(inferFeatures({ ts: 1, z: 1, a: true, power: 2, name: "x", nested: {} }, "power", "ts"), ["a", "z"]);
});
