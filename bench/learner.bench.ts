// The learner module itself: binary size, state size per kind and feature count, and readings/s
// for 8-feature regression through the whole pipeline (guard, scaler, model, metrics), batched
// (learn_batch) and with one host call per reading (learn_one), from Node.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_WASM, Kind, Learner, compileLearner } from "../host/learner/index.js";
import type { BenchModule, BenchRow } from "./types.js";
import { emptyCallRate } from "./call-floor.js";

const NF = 8;
/** The 0.1.0 release module (ABI version 1), kept beside the blobs it wrote (test/fixtures/). */
const V1_WASM = fileURLToPath(new URL("../../test/fixtures/learner-0.1.0.wasm", import.meta.url));

/** Deterministic readings: raw-unit features, a noisy linear target. */
export function regressionRows(n: number, nf = NF, seed = 1): Float32Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 1) / 2147483648;
  const rows = new Float32Array(n * (nf + 1));
  for (let i = 0; i < n; i++) {
    let y = 5;
    for (let j = 0; j < nf; j++) {
      const x = 10 * j + (j + 1) * rnd();
      rows[i * (nf + 1) + j] = x;
      y += (j % 3 - 1) * 0.5 * x;
    }
    rows[i * (nf + 1) + nf] = y + 0.1 * (rnd() - 0.5);
  }
  return rows;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Best readings per wall second and per CPU second of `reps` timed runs, each on a fresh state.
 * CPU seconds (process.cpuUsage) tell the module's own cost when other work shares the cores. */
function measure(l: Learner, rows: Float32Array, reps: number, run: (l: Learner, rows: Float32Array) => void): [number, number] {
  const n = rows.length / (NF + 1);
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < reps; r++) {
    l.create(Kind.Linear, NF);
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

const bench: BenchModule = {
  name: "learner",
  description: "learner.wasm: module size, state size, readings/s (8-feature regression, full pipeline)",
  async run({ quick, log }) {
    const rowsOut: BenchRow[] = [];
    const size = readFileSync(DEFAULT_WASM).length;
    rowsOut.push({ metric: "release module size", value: size, unit: "bytes", note: "limit 18700 (test/module/binary.test.ts), goal ≤ 12288" });

    const l = new Learner(compileLearner());
    const sizes: Record<string, Record<number, number>> = {};
    for (const kind of [Kind.Linear, Kind.Logistic, Kind.HalfSpace, Kind.AR, Kind.KMeans, Kind.Surprise, Kind.Mean]) {
      for (const nf of [1, 4, 8, 16, 32]) {
        if (l.raw.create(kind, nf) !== 0) continue;
        (sizes[Kind[kind]] ??= {})[nf] = l.stateLength;
      }
    }
    for (const [kind, bySize] of Object.entries(sizes)) {
      rowsOut.push({
        metric: `state size, ${kind}, n = 1/4/8/16/32`,
        value: [1, 4, 8, 16, 32].map((n) => bySize[n] ?? "-").join(" / "),
        unit: "bytes",
        note: kind === "Linear" ? "goal ≤ 2048 at n = 16" : undefined,
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
    const floor = emptyCallRate(rows, NF, reps);
    rowsOut.push({ metric: "calls/s, the same loop against a learn_one that does nothing", value: Math.round(floor), unit: "calls/s", note: `${(1e9 / floor).toFixed(0)} ns per call: the host's share of a learn_one (per CPU-second)` });
    // The 0.1.0 release module, measured in the same run
    // on the same rows, so the ratio is honest on a shared machine.
    if (existsSync(V1_WASM)) {
      const v1 = new Learner(compileLearner(V1_WASM));
      measure(v1, rows, 2, batched);
      const [vb, vbc] = measure(v1, rows, reps, batched);
      const [vc, vcc] = measure(v1, rows, reps, perCall);
      rowsOut.push({ metric: "0.1.0 module size (test/fixtures/learner-0.1.0.wasm)", value: readFileSync(V1_WASM).length, unit: "bytes" });
      rowsOut.push({ metric: "0.1.0 module readings/s, learn_batch, same rows", value: Math.round(vb), unit: "readings/s", note: `${cpuNote(vbc)}; this build / 0.1.0 = ${(bc / vbc).toFixed(2)} per CPU-second` });
      rowsOut.push({ metric: "0.1.0 module readings/s, learn_one, same rows", value: Math.round(vc), unit: "readings/s", note: `${cpuNote(vcc)}; this build / 0.1.0 = ${(cc / vcc).toFixed(2)} per CPU-second` });
    }
    return { name: "learner", rows: rowsOut, details: { stateSizes: sizes, readings: n, reps } };
  },
};

export default bench;
