import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("`edgelearn demo --duration 3` runs and exits 0", () => {
  const r = spawnSync(process.execPath, ["bin/edgelearn.js", "demo", "--duration", "3", "--port", "0", "--rate", "50"], {
    encoding: "utf8",
    timeout: 20000,
  });
  assert.equal(r.status, 0, `stderr: ${r.stderr}`);
  for (const d of ["line-1", "line-2", "pump-1", "tank-1", "fan-1", "door-1", "meter-1"]) assert.ok(r.stdout.includes(d), r.stdout);
  // the forecaster's row shows its error and what it flagged beside the spikes injected
  assert.match(r.stdout, /meter-1\s+forecast\s+\d+\s+\d+.*mae\(ew\) [\d.]+, anomalies \d+, spikes \d+/);
  const m = /readings (\d+)\s+learned (\d+)\s+predictions received (\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) > 100 && Number(m[2]) > 100 && Number(m[3]) > 100, m[0]);
  assert.match(r.stdout, /nonfinite|wrong_type|malformed_json/, "line-2's faults are counted");
});
