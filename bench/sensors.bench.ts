// How the default pipelines judge the shapes real IoT sensors produce: every model kind at its
// defaults on quantized readings, legitimately constant values, failure sentinels, day/night
// cycles, irregular rates, and (apart) a long run of stationary noise. Per stream and kind:
// readings refused and why, anomaly flags and drift alarms on normal readings, failures caught,
// how fast, and how many learned; what follows a real change; and, for SURPRISE, whether one
// sentinel reading leaves it able to see the spikes that come after. Printed, not asserted
// (bench/lib/sensor-judge.ts says how each kind sees a one-value sensor).

import { Flag, Kind, Learner, batchOutputs, compileLearner, type BatchOutputs } from "../host/learner/index.js";
import { Prng } from "../host/tools/sim/prng.js";
import * as S from "./lib/sensor-streams.js";
import { KINDS, judge, learnStream, type Judgement } from "./lib/sensor-judge.js";
import type { BenchModule, BenchRow } from "./types.js";

const WEEKS4 = 40320; // four weeks at one reading a minute

function streams(n: number): S.SensorStream[] {
  // failures and the real change start at reading 30,000 of four weeks (the middle of --quick's two)
  const at = n - 10320 > n / 2 ? n - 10320 : n / 2;
  return [
    S.quantizedTemperature(n, 0.1, 1),
    S.quantizedTemperature(n, 0.5, 2),
    S.adcCounts(n, 3),
    S.humidity(n, 4),
    S.slowQuantized(5 * n, 5),
    S.doorContact(n, 6),
    S.relayState(n, 7),
    S.dailySetpoint(n, 8),
    S.powerMeter(n, 9),
    S.sentinel(n, 10, "DS18B20 85.0 (power-on reset) every 2 days", 85, 3000, 1, 2880),
    S.sentinel(n, 11, "DS18B20 −127 (disconnected) for 2,000 readings", -127, at, 2000),
    S.sentinel(n, 12, "65535 for 500 readings", 65535, at, 500),
    S.sentinel(n, 13, "0 for 2,000 readings", 0, at, 2000),
    S.frozen(n, 14, at, 2000),
    S.missing(n, 15),
    S.levelShift(n, 16, at),
    S.irregular(n, 17),
  ];
}

/** One line per (stream, kind): what an operator would see. */
function describe(j: Judgement): string {
  const r = j.refused;
  const why = (["stuck", "spike", "range", "nonfinite"] as const).filter((k) => r[k] > 0).map((k) => `${k} ${r[k]}`);
  const parts = [
    `refused ${r.any}${why.length ? ` (${why.join(", ")})` : ""}`,
    j.badTarget ? `target refused ${j.badTarget}` : "",
    `flags/1k ${j.anomalyPer1000.toFixed(2)}`,
    `drifts/M ${j.driftPerMillion.toFixed(0)}`,
    Number.isFinite(j.mae) ? `MAE ${j.mae.toFixed(3)}` : "",
    j.faults ? `failures caught ${j.faultsCaught}/${j.faults} (first after ${j.latency}), learned ${j.faultsLearned}` : "",
    j.afterChange ? `after the change: refused ${j.afterChange.refused}, flagged ${j.afterChange.flagged}, drifts ${j.afterChange.drifts}, settled after ${j.afterChange.settle}` : "",
  ];
  return parts.filter((p) => p).join("; ");
}

/**
 * SURPRISE after one sentinel: a DS18B20 stream with `count` readings of `sentinel` at 10,000
 * and ±3 °C spikes every 500-700 readings from 20,000; spikes reported (on their reading or the
 * next) and other flags per 1,000 after 20,000.
 */
function spikesAfter(module: WebAssembly.Module, n: number, sentinel: number, count: number, ranges?: Record<number, [number, number]>): { found: number; spikes: number; falsePer1000: number } {
  const s = S.quantizedTemperature(n, 0.0625, 21);
  const r = new Prng(4);
  const v = Float32Array.from(s.value);
  for (let i = 10000; i < 10000 + count; i++) v[i] = sentinel;
  const spikes = new Set<number>();
  for (let i = 20000; i < n - 10; i += 500 + r.int(200)) {
    v[i] += r.chance(0.5) ? 3 : -3;
    spikes.add(i);
  }
  const rows = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    rows[2 * i] = v[i];
    rows[2 * i + 1] = NaN;
  }
  const out = batchOutputs(n);
  new Learner(module).create(Kind.Surprise, 1, { ranges }).learnBatch(rows, out);
  let found = 0;
  let others = 0;
  let normal = 0;
  for (const i of spikes) if ((out.flags[i] | out.flags[i + 1]) & Flag.Anomaly) found++;
  for (let i = 20000; i < n; i++) {
    if (spikes.has(i) || spikes.has(i - 1)) continue;
    normal++;
    if (out.flags[i] & Flag.Anomaly) others++;
  }
  return { found, spikes: spikes.size, falsePer1000: (1000 * others) / normal };
}

/** Stationary N(20, 1) through one kind, in blocks of 1 M readings: flags, drifts and refusals
 * per million in each block, and the cumulative MAE against the last block's own. */
function longRun(module: WebAssembly.Module, kind: Kind, total: number): { perBlock: { flags: number; drifts: number; refused: number }[]; mae: number; blockMae: number } {
  const block = Math.min(total, 1_000_000);
  const r = new Prng(777);
  const lr = new Prng(5);
  const nf = kind === Kind.AR ? 0 : 1;
  const L = new Learner(module).create(kind, nf);
  const rows = new Float32Array((nf + 1) * block);
  const out: BatchOutputs = batchOutputs(block);
  const perBlock: { flags: number; drifts: number; refused: number }[] = [];
  let blockMae = NaN;
  for (let b = 0; b < total / block; b++) {
    for (let i = 0; i < block; i++) {
      const v = r.normal(20, 1);
      if (nf) rows[2 * i] = v;
      let y = NaN;
      if (kind === Kind.Linear) y = 2 * v + 3 + lr.normal(0, 0.05);
      else if (kind === Kind.Logistic) y = (v > 20) !== lr.chance(0.02) ? 1 : 0;
      else if (kind === Kind.AR || kind === Kind.Mean) y = v;
      rows[(nf + 1) * i + nf] = y;
    }
    L.learnBatch(rows, out);
    const t = { flags: 0, drifts: 0, refused: 0 };
    let err = 0;
    let en = 0;
    for (let i = 0; i < block; i++) {
      const f = out.flags[i];
      if (f & Flag.Anomaly) t.flags++;
      if (f & Flag.Drift) t.drifts++;
      if (f & 0x2f) t.refused++;
      if (Number.isFinite(out.error[i])) {
        err += Math.abs(out.error[i]);
        en++;
      }
    }
    perBlock.push(t);
    blockMae = en ? err / en : NaN;
  }
  return { perBlock, mae: L.metric(0), blockMae };
}

const bench: BenchModule = {
  name: "sensors",
  description: "every kind at its defaults on quantized, constant, failing (sentinels, frozen, NaN), cyclic and irregular sensor streams, and a long run of stationary noise",
  async run({ quick, log }) {
    const module = compileLearner();
    const n = quick ? WEEKS4 / 2 : WEEKS4;
    const rows: BenchRow[] = [];
    const details: Judgement[] = [];
    for (const s of streams(n)) {
      log(s.name);
      for (const [name, kind] of KINDS) {
        const j = judge(name, kind, s, learnStream(module, kind, s));
        details.push(j);
        rows.push({ metric: `${s.name} (${s.value.length.toLocaleString("en")}): ${name}`, value: describe(j) });
      }
    }
    log("SURPRISE after a sentinel");
    const cases: [string, number, number, Record<number, [number, number]> | undefined][] = [
      ["no sentinel", NaN, 0, undefined],
      ["one 85.0", 85, 1, undefined],
      ["one −127", -127, 1, undefined],
      ["one 65535", 65535, 1, undefined],
      ["one 0", 0, 1, undefined],
      ["−127 for 5 readings", -127, 5, undefined],
      ["−127 for 2,000 readings", -127, 2000, undefined],
      ["85.0 for 2,000 readings", 85, 2000, undefined],
      ["−127 for 2,000 readings, range [−55, 125]", -127, 2000, { 0: [-55, 125] }],
      ["85.0 for 2,000 readings, range [−55, 125]", 85, 2000, { 0: [-55, 125] }],
    ];
    for (const [label, value, count, ranges] of quick ? cases.slice(0, 2) : cases) {
      const r = spikesAfter(module, WEEKS4, value, count, ranges);
      rows.push({
        metric: `SURPRISE, ±3 °C spikes after ${label}`,
        value: `${r.found}/${r.spikes}`,
        note: `other flags ${r.falsePer1000.toFixed(2)} per 1,000`,
      });
    }
    const total = quick ? 200_000 : 10_000_000;
    for (const [name, kind] of KINDS) {
      log(`long run, ${name}`);
      const lr = longRun(module, kind, total);
      const per = (k: "flags" | "drifts" | "refused"): string => lr.perBlock.map((b) => b[k]).join(" ");
      rows.push({
        metric: `stationary N(20, 1), ${total.toLocaleString("en")} readings: ${name}, in each block of ${Math.min(total, 1_000_000).toLocaleString("en")}`,
        value: `flags ${per("flags")}; drifts ${per("drifts")}; refused ${per("refused")}`,
        // LOGISTIC's error field is the log-loss, not comparable with its MAE metric
        note: kind !== Kind.Logistic && Number.isFinite(lr.mae) ? `cumulative MAE (f32 running mean) ${lr.mae.toFixed(4)}, the last block's ${lr.blockMae.toFixed(4)}` : undefined,
      });
    }
    return { name: "sensors", rows, details };
  },
};

export default bench;
