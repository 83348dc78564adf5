// A background model learns from a warning's onset: when the warning clears without a drift it
// stops, and the next onset starts it afresh. It used to go on learning until a drift, which on a
// stationary stream (rare warnings, no drift) meant learning every reading twice, the live model
// and the background one: a quarter of the learner's throughput in V8.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, Kind, Flag, compileLearner } from "../../host/learner/index.js";
import { regressionRows } from "../../bench/lib/regression-rows.js";

/** The bytes of the background model: the blob's tail (the monitor section ends with it). */
const TAIL = 64;
const tail = (l: Learner) => Buffer.from(l.snapshot().subarray(-TAIL)).toString("hex");

test("after a warning clears the background model learns nothing until the next warning", () => {
  const l = new Learner(compileLearner()).create(Kind.Linear, 8);
  const rows = regressionRows(100_000, 8);
  const x = new Array<number>(8);
  let prevWarning = false, checked = 0, before = "", quiet = 0;
  for (let pass = 0; pass < 20 && checked < 3; pass++) {
    for (let i = 0; i < 100_000 && checked < 3; i++) {
      for (let j = 0; j < 8; j++) x[j] = rows[i * 9 + j];
      const f = l.learn(rows[i * 9 + 8], x);
      const warning = (f & Flag.DriftWarning) !== 0;
      assert.equal(f & Flag.Drift, 0, "a stationary stream");
      if (prevWarning && !warning) {
        before = tail(l); // the warning has just cleared
        quiet = 0;
      } else if (!warning && before !== "" && ++quiet === 200) {
        assert.equal(tail(l), before, "200 readings after the warning cleared");
        checked++;
        before = "";
      } else if (warning) {
        before = "";
      }
      prevWarning = warning;
    }
  }
  assert.ok(checked > 0, "the stream raised and cleared a warning");
});
