import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePayload, type SenmlReading } from "../../host/codecs/index.js";

// SenML's null times read as the flat codec's `"ts": null` does: as if the field were absent
// (RFC 8428 §4.5.3: an absent t is 0, relative to the base time, and no base time means now).
const NOW = 1_732_612_345_000;

function times(pack: string): number[] | string {
  const p = parsePayload(Buffer.from(pack), "auto", 4096, NOW);
  if (typeof p === "string") return p;
  assert.equal(p.kind, "senml");
  return (p as { readings: SenmlReading[] }).readings.map((r) => r.ts);
}

test('SenML "t": null is as if t were absent: the base time, or now without one', () => {
  assert.deepEqual(times('[{"n":"temperature","v":21.5,"t":null}]'), [NOW]);
  assert.deepEqual(times('[{"bt":1.7e9,"n":"temperature","v":21.5,"t":null}]'), [1.7e12]);
  assert.deepEqual(times('[{"bt":-5,"n":"temperature","v":21.5,"t":null}]'), [NOW - 5000], "relative base time");
});

test('SenML "bt": null is as if bt were absent: an earlier base time stays, none means now', () => {
  assert.deepEqual(times('[{"bt":null,"n":"temperature","v":21.5}]'), [NOW]);
  assert.deepEqual(times('[{"bt":null,"n":"temperature","v":21.5,"t":-10}]'), [NOW - 10_000]);
  assert.deepEqual(
    times('[{"bt":1.7e9,"n":"a","v":1},{"bt":null,"n":"a","v":2,"t":60}]'),
    [1.7e12, 1.7e12 + 60_000],
    "a null bt does not reset the base time set before it",
  );
});

test("a record whose only field is a null base time sets nothing: refused as an empty record is", () => {
  assert.equal(times('[{"bt":null},{"n":"a","v":1}]'), times('[{},{"n":"a","v":1}]'));
  assert.equal(times('[{"bt":null},{"n":"a","v":1}]'), "bad_senml");
});

test("SenML times of any other type are still refused", () => {
  assert.equal(times('[{"n":"a","v":1,"t":"now"}]'), "bad_senml");
  assert.equal(times('[{"bt":"now","n":"a","v":1}]'), "bad_senml");
  assert.equal(times('[{"bt":false,"n":"a","v":1}]'), "bad_senml");
});
