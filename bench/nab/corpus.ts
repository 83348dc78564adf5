// The Numenta Anomaly Benchmark corpus as NAB lays it out: 58 CSV files (timestamp,value) and
// labelled anomaly windows keyed by NAB's own path "<category>/<file>.csv". Windows are turned
// into row indices once here, so the scorer and the detectors only see arrays.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface NabFile {
  /** NAB's path, e.g. "realKnownCause/machine_temperature_system_failure.csv". */
  path: string;
  timestamps: string[];
  values: Float64Array;
  /** Labelled windows as inclusive row-index pairs, in time order. */
  windows: [number, number][];
}

export interface NabCorpus {
  dir: string;
  files: NabFile[];
  /** Number of labelled windows over the corpus: NAB's "perfect" detector finds each once
   * (its normalisation counts the entries of combined_windows.json, not the labels). */
  labelCount: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** ../shared/data/nab beside the repository, or EDGELEARN_NAB_DIR. */
export function nabDir(): string {
  return process.env.EDGELEARN_NAB_DIR ?? resolve(HERE, "..", "..", "..", "..", "shared", "data", "nab");
}

export function hasNab(dir = nabDir()): boolean {
  return existsSync(join(dir, "combined_windows.json"));
}

/** NAB timestamps are "YYYY-MM-DD hh:mm:ss" in the data and may carry ".ffffff" in the labels. */
const second = (t: string): string => t.slice(0, 19);

export function loadNab(dir = nabDir()): NabCorpus {
  const windows = JSON.parse(readFileSync(join(dir, "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const path of Object.keys(windows).sort()) {
    const lines = readFileSync(join(dir, basename(path)), "utf8").trim().split("\n").slice(1);
    const timestamps: string[] = new Array(lines.length);
    const values = new Float64Array(lines.length);
    const row = new Map<string, number>();
    lines.forEach((line, i) => {
      const comma = line.indexOf(",");
      timestamps[i] = second(line.slice(0, comma));
      values[i] = Number(line.slice(comma + 1));
      row.set(timestamps[i], i);
    });
    const rows = windows[path].map(([a, b]): [number, number] => {
      const lo = row.get(second(a)), hi = row.get(second(b));
      if (lo === undefined || hi === undefined) throw new Error(`${path}: window ${a} .. ${b} does not start and end on rows`);
      return [lo, hi];
    });
    files.push({ path, timestamps, values, windows: rows });
  }
  const labelCount = files.reduce((n, f) => n + f.windows.length, 0);
  return { dir, files, labelCount };
}
