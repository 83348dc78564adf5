// River, run beside edgelearn on the same rows (bench/python/river_run.py), when Python has it.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const PYTHON = process.env.PYTHON ?? "python3";

export function riverAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import river"], { encoding: "utf8" }).status === 0;
}

/**
 * River's prequential metric (accuracy for logreg, MAE for linreg) over rows of
 * (features..., target), in order, one pass; undefined when River is missing or fails.
 */
export function riverPrequential(model: "logreg" | "linreg", rows: { x: number[]; y: number }[]): number | undefined {
  if (rows.length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-river-"));
  try {
    const csv = join(dir, "rows.csv");
    const nf = rows[0].x.length;
    const head = [...Array.from({ length: nf }, (_, i) => `x${i}`), "y"].join(",");
    writeFileSync(csv, [head, ...rows.map((r) => [...r.x, r.y].join(","))].join("\n") + "\n");
    const r = spawnSync(PYTHON, [join(ROOT, "bench", "python", "river_run.py"), csv, model, "1"], { encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) return undefined;
    return (JSON.parse(r.stdout) as { value: number }).value;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
