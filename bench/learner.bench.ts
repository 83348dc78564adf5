// The learner module itself: binary size, state size per kind and feature count, and readings/s
// for 8-feature regression through the whole pipeline (guard, scaler, model, metrics), batched
// (learn_batch) and with one host call per reading (learn_one), from Node.

import { existsSync, readFileSync } from "node:fs";
import { arch } from "node:os";
import { fileURLToPath } from "node:url";
import { DEFAULT_WASM, Kind, Learner, Param, compileLearner } from "../host/learner/index.js";
import type { BenchModule, BenchRow } from "./types.js";
import { emptyCallRate } from "./call-floor.js";
import { regressionRows } from "./lib/regression-rows.js";
import { type Count, hostInstructionsPerReading, wasmOperators } from "./instruction-count.js";

const NF = 8;
/** The 0.1.0 release module (ABI version 1), kept beside the blobs it wrote (test/fixtures/). */
const V1_WASM = fileURLToPath(new URL("../../test/fixtures/learner-0.1.0.wasm", import.meta.url));

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Best readings per wall second and per CPU second of `reps` timed runs, each on a fresh state.
 * CPU seconds (process.cpuUsage) tell the module's own cost when other work shares the cores. */
function measure(l: Learner, rows: Float32Array, reps: number, run: (l: Learner, rows: Float32Array) => void, params: [Param, number][] = []): [number, number] {
  const n = rows.length / (NF + 1);
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < reps; r++) {
    l.create(Kind.Linear, NF);
    for (const [id, v] of params) l.setParam(id, v);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    run(l, rows);
    wall = Math.max(wall, n / seconds(t0));
    const c = process.cpuUsage(c0);
    cpu = Math.max(cpu, n / ((c.user + c.system) / 1e6));
  }
  return [wall, cpu];
}

function batched(l: Learner, rows: Float32Array): void {
  l.learnBatch(rows);
}

function perCall(l: Learner, rows: Float32Array): void {
  const x = l.input;
  const learn = l.raw.learn_one;
  const stride = NF + 1;
  const n = rows.length / stride;
  for (let i = 0, o = 0; i < n; i++, o += stride) {
    for (let j = 0; j < NF; j++) x[j] = rows[o + j];
    learn(rows[o + NF]);
  }
}

/** A count row: this build's figure, 0.1.0's beside it and their ratio, or why it is missing. */
function countRow(metric: string, now: Count, v1: Count | undefined, how: string): BenchRow {
  if ("unavailable" in now) return { metric, value: "n/a", note: now.unavailable };
  const beside = v1 && "value" in v1 ? `; 0.1.0: ${Math.round(v1.value)}, this build / 0.1.0 = ${(now.value / v1.value).toFixed(3)}` : "";
  return { metric, value: Math.round(now.value), unit: "per reading", note: how + beside };
}

/**
 * The second stream of the split below. Like the 8-feature one, the 3-feature benchmark stream
 * stays almost out of drift warnings (955 and 3,733 warning readings in the first million, under
 * 0.4 %; the 1-, 2- and 4-feature streams spend a quarter of their readings in one, where the
 * background model learns too), so the two counts differ by the features alone.
 */
const SPLIT_FEATURES = 3;

/**
 * What a reading costs per feature and apart from its features: V8's instructions per reading
 * at NF and at SPLIT_FEATURES features, as a straight line. The part apart from the features holds
 * the target's guard and scaler slots, the bias, the prediction, metrics, drift detector, output
 * record and counters: work no vectorization across features shortens.
 */
function featureSplitRows(atNF: Count, atSplit: Count): BenchRow[] {
  const metric = `${arch()} instructions per learn_batch reading`;
  if ("unavailable" in atNF || "unavailable" in atSplit) {
    const why = "unavailable" in atNF ? atNF.unavailable : (atSplit as { unavailable: string }).unavailable;
    return [{ metric: `${metric}, per feature and apart from features`, value: "n/a", note: why }];
  }
  const perFeature = (atNF.value - atSplit.value) / (NF - SPLIT_FEATURES);
  const fixed = atSplit.value - SPLIT_FEATURES * perFeature;
  return [
    { metric: `${metric}, ${SPLIT_FEATURES} features`, value: Math.round(atSplit.value), unit: "per reading", note: "same stream generator, same count" },
    { metric: `${metric}, per feature`, value: Math.round(perFeature), unit: "per feature", note: `(${NF} features − ${SPLIT_FEATURES}) / ${NF - SPLIT_FEATURES}` },
    { metric: `${metric}, apart from its features`, value: Math.round(fixed), unit: "per reading", note: "the line through both counts at 0 features: target, bias, prediction, metrics, drift, output" },
  ];
}

const bench: BenchModule = {
  name: "learner",
  description: "learner.wasm: module size, state size, readings/s (8-feature regression, full pipeline)",
  async run({ quick, log }) {
    const rowsOut: BenchRow[] = [];
    const size = readFileSync(DEFAULT_WASM).length;
    rowsOut.push({ metric: "release module size", value: size, unit: "bytes", note: "goal ≤ 12288 (test/module/binary.test.ts holds the ceiling against growth)" });

    const l = new Learner(compileLearner());
    // State per device at each kind's defaults, beside the 0.1.0 module's for the kinds it has
    // (issue 14: no larger than 0.1.0's).
    const old = existsSync(V1_WASM) ? new Learner(compileLearner(V1_WASM)) : undefined;
    const counts = [1, 4, 8, 16, 32];
    const sizes: Record<string, (number | undefined)[]> = {};
    for (const kind of [Kind.Linear, Kind.Logistic, Kind.HalfSpace, Kind.AR, Kind.KMeans, Kind.Surprise, Kind.Mean]) {
      const now = counts.map((nf) => (l.raw.create(kind, nf) === 0 ? l.stateLength : undefined));
      const then = counts.map((nf) => (old && old.raw.create(kind, nf) === 0 ? old.stateLength : undefined));
      sizes[Kind[kind]] = now;
      const has = then.some((v) => v !== undefined);
      const over = counts.filter((_, k) => now[k] !== undefined && then[k] !== undefined && now[k]! > then[k]!);
      rowsOut.push({
        metric: `state size, ${Kind[kind]}, n = 1/4/8/16/32`,
        value: now.map((v) => v ?? "-").join(" / "),
        unit: "bytes",
        note: has ? `0.1.0: ${then.map((v) => v ?? "-").join(" / ")}; ${over.length ? `larger at n = ${over.join(", ")}` : "none larger"}` : "a kind 0.1.0 did not have",
      });
    }

    const n = quick ? 200_000 : 1_000_000;
    const reps = quick ? 3 : 7;
    const rows = regressionRows(n);
    log(`warming up (${n} readings)`);
    measure(l, rows, 2, batched);
    measure(l, rows, 2, perCall);
    log("measuring");
    const [b, bc] = measure(l, rows, reps, batched);
    const [c, cc] = measure(l, rows, reps, perCall);
    const cpuNote = (v: number) => `${(v / 1e6).toFixed(2)} M per CPU-second`;
    rowsOut.push({ metric: "readings/s, learn_batch, 8 features, regression, full pipeline", value: Math.round(b), unit: "readings/s", note: `goal ≥ 10 M/s; ${cpuNote(bc)}; includes copying rows into the io region` });
    rowsOut.push({ metric: "readings/s, one learn_one call per reading, 8 features, regression", value: Math.round(c), unit: "readings/s", note: `goal ≥ 5 M/s; ${cpuNote(cc)}; features written through the input view` });
    // The guard as a range test alone: switching its stuck and spike tests off drops the upkeep
    // of the statistics only they read.
    const RANGE_ONLY: [Param, number][] = [[Param.StuckK, 0], [Param.SpikeT, 0]];
    measure(l, rows, 1, batched, RANGE_ONLY);
    const [, rbc] = measure(l, rows, reps, batched, RANGE_ONLY);
    const [, rcc] = measure(l, rows, reps, perCall, RANGE_ONLY);
    rowsOut.push({ metric: "readings/s per CPU-second, learn_batch / learn_one, the guard a range test alone (STUCK_K = SPIKE_T = 0)", value: `${(rbc / 1e6).toFixed(2)} M / ${(rcc / 1e6).toFixed(2)} M`, unit: "readings/s", note: `the defaults' ${(rbc / bc).toFixed(2)}× / ${(rcc / cc).toFixed(2)}× in this run` });
    const floor = emptyCallRate(rows, NF, reps);
    rowsOut.push({ metric: "calls/s, the same loop against a learn_one that does nothing", value: Math.round(floor), unit: "calls/s", note: `${(1e9 / floor).toFixed(0)} ns per call: the host's share of a learn_one (per CPU-second)` });
    // The 0.1.0 release module, measured in the same run
    // on the same rows, so the ratio is honest on a shared machine.
    if (old) {
      measure(old, rows, 2, batched);
      const [vb, vbc] = measure(old, rows, reps, batched);
      const [vc, vcc] = measure(old, rows, reps, perCall);
      rowsOut.push({ metric: "0.1.0 module size (test/fixtures/learner-0.1.0.wasm)", value: readFileSync(V1_WASM).length, unit: "bytes" });
      rowsOut.push({ metric: "0.1.0 module readings/s, learn_batch, same rows", value: Math.round(vb), unit: "readings/s", note: `${cpuNote(vbc)}; this build / 0.1.0 = ${(bc / vbc).toFixed(2)} per CPU-second` });
      rowsOut.push({ metric: "0.1.0 module readings/s, learn_one, same rows", value: Math.round(vc), unit: "readings/s", note: `${cpuNote(vcc)}; this build / 0.1.0 = ${(cc / vcc).toFixed(2)} per CPU-second` });
    }
    // Counts instead of timings: the same for every run, so the ratio to 0.1.0 is exact.
    log("counting instructions (perf stat) and wasm operators (wasmtime fuel)");
    const v1 = existsSync(V1_WASM) ? V1_WASM : undefined;
    const [short, long] = quick ? [200_000, 1_000_000] : [1_000_000, 5_000_000];
    const host = hostInstructionsPerReading(DEFAULT_WASM, short, long);
    const hostV1 = v1 ? hostInstructionsPerReading(v1, short, long) : undefined;
    const span = `${long / 1e6} M minus ${short / 1e6} M readings`;
    rowsOut.push(countRow(`${arch()} instructions V8 executes per learn_batch reading`, host, hostV1, `perf stat -e instructions:u, ${span}; host's copy of the rows included`));
    rowsOut.push(...featureSplitRows(host, hostInstructionsPerReading(DEFAULT_WASM, short, long, SPLIT_FEATURES)));
    const ops = wasmOperators(DEFAULT_WASM);
    const opsV1 = v1 ? wasmOperators(v1) : undefined;
    rowsOut.push(countRow("wasm operators per learn_one call", ops.learnOne, opsV1?.learnOne, "wasmtime fuel, after 1,000 readings"));
    rowsOut.push(countRow("wasm operators per learn_batch reading", ops.batchReading, opsV1?.batchReading, "wasmtime fuel"));
    return { name: "learner", rows: rowsOut, details: { stateSizes: sizes, readings: n, reps } };
  },
};

export default bench;
