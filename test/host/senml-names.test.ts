// SenML: which names a reading's fields answer to when records share a bare name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePayload, extract, inferFeatures, type Extracted, type SenmlReading } from "../../host/codecs/index.js";

const NOW = 1_732_612_345_000;

function reading(pack: unknown[]): SenmlReading {
  const p = parsePayload(Buffer.from(JSON.stringify(pack)), "auto", 4096, NOW);
  assert.ok(typeof p !== "string" && p.kind === "senml");
  if (typeof p === "string" || p.kind !== "senml") throw new Error("not SenML");
  assert.equal(p.readings.length, 1);
  return p.readings[0];
}

test("two records with the same n under different base names stay two features", () => {
  const r = reading([
    { bn: "boiler-1/inlet/", n: "temp", v: 20 },
    { bn: "boiler-1/outlet/", n: "temp", v: 60 },
    { n: "pressure", v: 2 },
  ]);
  const features = inferFeatures(r.fields, undefined, "ts", r.names);
  assert.deepEqual(features, ["boiler-1/inlet/temp", "boiler-1/outlet/temp", "pressure"]);
  const out = new Float32Array(32);
  const res: Extracted = { y: 0, ts: 0 };
  assert.equal(extract(r.fields, { features, tsField: "ts" }, out, res, NOW, r.ts), null);
  assert.deepEqual(Array.from(out.subarray(0, 3)), [20, 60, 2]);
  assert.equal(r.fields.has("temp"), false, "the ambiguous bare name is no field: a feature configured by it is missing, not the last value");
});

test("a bare name that is another record's full name does not overwrite it", () => {
  const r = reading([
    { n: "temp", v: 1 },
    { bn: "dev/", n: "temp", v: 2 },
  ]);
  assert.deepEqual(r.names, ["temp", "dev/temp"]);
  assert.equal(r.fields.get("temp"), 1);
  assert.equal(r.fields.get("dev/temp"), 2);
});
