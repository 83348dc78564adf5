// Shared fixtures of the compare tests: a small drifting CSV written from host/tools/sim.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { regressionDrift, sea } from "../../host/tools/sim/index.js";
import { tempDir } from "../helpers/tmp.js";

/** Writes rows of a host/tools/sim stream as CSV (features x0.., target y) and returns the path. */
export function driftingCsv(task: "regression" | "classification", n = 3000, seed = 7): string {
  const rows = task === "regression"
    ? [...regressionDrift({ seed, n, nFeatures: 3, driftAt: [Math.floor(n / 2)], noise: 0.1 })]
    : [...sea({ seed, n, driftAt: [Math.floor(n / 2)], invertOdd: true, noise: 0.05 })];
  const d = rows[0].x.length;
  const head = [...Array.from({ length: d }, (_, j) => `x${j}`), "y"].join(",");
  const body = rows.map((r) => [...r.x.map((v) => v.toFixed(6)), String(r.y)].join(","));
  const dir = tempDir("compare");
  const file = join(dir, `${task}.csv`);
  writeFileSync(file, [head, ...body].join("\n") + "\n");
  return file;
}
