// Score files that NAB's own results folders give for published detectors
// (../shared/data/nab/reference/<detector>_scores.csv.gz: file,timestamp,anomaly_score).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { NabCorpus } from "./corpus.js";

/** Published score per data row, keyed by NAB path; undefined when the file is not there. */
export function loadReferenceScores(corpus: NabCorpus, detector: string): Map<string, Float64Array> | undefined {
  const path = join(corpus.dir, "reference", `${detector}_scores.csv.gz`);
  if (!existsSync(path)) return undefined;
  const lines = gunzipSync(readFileSync(path)).toString("utf8").trim().split("\n").slice(1);
  const rows = new Map(corpus.files.map((f) => [f.path, f]));
  const out = new Map<string, Float64Array>();
  const next = new Map<string, number>();
  for (const line of lines) {
    const [file, , score] = line.split(",");
    const f = rows.get(file);
    if (!f) throw new Error(`${detector}: unknown file ${file}`);
    let s = out.get(file);
    if (!s) out.set(file, (s = new Float64Array(f.values.length)));
    const i = next.get(file) ?? 0;
    s[i] = Number(score);
    next.set(file, i + 1);
  }
  for (const f of corpus.files) {
    if (next.get(f.path) !== f.values.length) throw new Error(`${detector}: ${f.path} has ${next.get(f.path)} rows, data ${f.values.length}`);
  }
  return out;
}
