// The per-message histogram exposes exactly what prom-client's own Histogram would for the same
// observations (the format Prometheus reads), and observes values on bucket bounds as `le`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Histogram, Registry } from "prom-client";
import { FastHistogram } from "../../host/metrics/fast-histogram.js";

test("FastHistogram's exposition equals prom-client's Histogram's", async () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const a = new Registry();
  const b = new Registry();
  const fast = new FastHistogram("h_seconds", "help text", buckets, a);
  const ref = new Histogram({ name: "h_seconds", help: "help text", buckets, registers: [b] });
  for (const v of [0, 0.001, 0.0011, 0.05, 0.1, 0.5, 1, 2, 30]) {
    fast.observe(v);
    ref.observe(v);
  }
  assert.equal(await a.metrics(), await b.metrics());
  assert.match(await a.metrics(), /^h_seconds_bucket\{le="0\.001"\} 2$/m, "a value on a bound counts in that bucket");
  fast.reset();
  const fresh = new Registry();
  new Histogram({ name: "h_seconds", help: "help text", buckets, registers: [fresh] });
  assert.equal(await a.metrics(), await fresh.metrics(), "after reset: as a new histogram, zeros");
});
