// The forecaster's `extra` is its forecast of the next value, on every reading it answers: after
// one it learned, and after one it did not (a missing or refused value leaves its history as it
// was, so the next reading is predicted from the same history). A dashboard or a consumer of the
// predictions topic then has a forecast through a sensor's gaps, not a hole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, Kind, Flag } from "../../host/learner/index.js";

const series = (i: number) => 10 + 3 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 101) / 500;

test("AR's extra is the forecast the next reading gets, whether or not the reading before was learned", () => {
  const l = new Learner().create(Kind.AR, 0);
  let heldOut = 0;
  let expected = NaN;
  for (let i = 0; i < 400; i++) {
    const y = i % 37 === 11 ? NaN : i % 53 === 29 ? 2e12 : series(i);
    const flags = l.learn(y);
    if (i > 0) assert.ok(Object.is(l.prediction, expected), `reading ${i}: predicted ${l.prediction}, the reading before forecast ${expected}`);
    expected = l.output().extra;
    assert.ok(Number.isFinite(expected), `reading ${i}: extra ${expected} (flags ${flags})`);
    if ((flags & Flag.Learned) === 0) heldOut++;
  }
  assert.ok(heldOut >= 15, `held-out readings: ${heldOut}`);
});
