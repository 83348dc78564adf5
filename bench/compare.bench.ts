// `edgelearn compare` on seeded drifting streams from host/tools/sim: the online module against a
// frozen batch model and periodic retraining, prequentially, on the same rows.

import type { Dataset, Task } from "../host/tools/compare/csv.js";
import { createModuleLearner } from "../host/tools/compare/online.js";
import { compare, formatBytes, metricsOver, type CompareReport } from "../host/tools/compare/report.js";
import { Param } from "../host/learner/index.js";
import { regressionDrift, sea, type Sample } from "../host/tools/sim/index.js";
import type { BenchModule, BenchRow } from "./types.js";

function dataset(samples: Sample[]): Dataset {
  const n = samples.length;
  const d = samples[0].x.length;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  samples.forEach((s, i) => { X.set(s.x, i * d); y[i] = s.y; });
  return { features: Array.from({ length: d }, (_, j) => `x${j}`), target: "y", n, d, X, y, skipped: [] };
}

function rows(stream: string, r: CompareReport, truthDrifts: number[]): BenchRow[] {
  const metric = r.errorMetric === "mae" ? "MAE" : "error rate";
  const out: BenchRow[] = [];
  for (const l of r.learners) {
    out.push({
      metric: `${stream}: ${l.name}, ${metric} overall`,
      value: Number(l.overall.error.toPrecision(4)),
      note: `after drifts: ${l.afterDrift.map((a) => a.error.toPrecision(3)).join(", ") || "none detected"}; ` +
        `CPU ${l.cpuMs.toFixed(0)} ms; data kept ${formatBytes(l.dataRetainedBytes)}; pushes ${l.updatesPushed}`,
    });
  }
  out.push({
    metric: `${stream}: drifts detected (${r.drift.source})`,
    value: r.drift.rows.length,
    note: `true drifts at ${truthDrifts.join(", ")}; detected at ${r.drift.rows.join(", ") || "-"}`,
  });
  return out;
}

const bench: BenchModule = {
  name: "compare",
  description: "online module vs frozen batch model vs periodic retraining on drifting streams (edgelearn compare)",
  async run({ quick, log }) {
    const n = quick ? 6000 : 60000;
    const at = [Math.floor(n / 3), Math.floor((2 * n) / 3)];
    const streams: { name: string; task: Task; samples: Sample[] }[] = [
      { name: "regression drift (4 features)", task: "regression", samples: [...regressionDrift({ seed: 42, n, nFeatures: 4, driftAt: at, noise: 0.1 })] },
      { name: "SEA, inverted concepts", task: "classification", samples: [...sea({ seed: 42, n, driftAt: at, invertOdd: true })] },
    ];
    const out: BenchRow[] = [];
    const details: CompareReport[] = [];
    for (const s of streams) {
      log(`${s.name}: ${n} rows`);
      const ds = dataset(s.samples);
      const opts = { task: s.task, trainFraction: 0.2, retrainEvery: Math.round(n / 10), lambda: 1 };
      const { report } = compare(ds, await createModuleLearner(s.task, ds), opts);
      out.push(...rows(s.name, report, at));
      details.push(report);
      // The module as one would configure it for drifting data: a background model started at
      // each drift warning replaces the live one at the drift (DRIFT_RESPONSE = 2).
      const bg = await createModuleLearner(s.task, ds, { [Param.DriftResponse]: 2 });
      const { report: r2, runs } = compare(ds, bg, opts);
      const online = r2.learners[0];
      const afterTrue = at.map((a, k) => metricsOver(s.task, ds.y, runs[0].predictions, a, at[k + 1] ?? n).error.toPrecision(3));
      out.push({
        metric: `${s.name}: online with background-model drift response, ${r2.errorMetric === "mae" ? "MAE" : "error rate"} overall`,
        value: Number(online.overall.error.toPrecision(4)),
        note: `after the true drifts: ${afterTrue.join(", ")}; module drifts at ${r2.drift.rows.join(", ") || "-"}`,
      });
      details.push(r2);
    }
    return { name: "compare", rows: out, details };
  },
};

export default bench;
