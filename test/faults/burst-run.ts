// The bad-data burst scenario, driven straight through the learner, the store, the checkpoint
// policy and the rollback guard (no MQTT): a seeded regression stream at one reading per second,
// with an hour in which one sensor is miscalibrated (gain and offset drift) but every reading
// stays plausible and passes the module's guard. Shared by the fault test and anyone who wants to see the numbers.

import { Kind, Learner, type Output } from "../../host/learner/index.js";
import { regressionDrift, take, type Sample } from "../../host/tools/sim/index.js";
import { MemoryStore } from "../../host/store/memory.js";
import { CheckpointPolicy } from "../../host/store/policy.js";
import { pickValid } from "../../host/store/restore.js";
import { RollbackGuard, lossOf, type GuardOptions } from "../../host/health/guard.js";

export interface BurstOptions {
  seed: number;
  guard: boolean;
  /** Readings (seconds) before, during and after the burst. */
  before?: number;
  burst?: number;
  after?: number;
  guardOptions?: Partial<GuardOptions>;
  mode?: "feature" | "target";
  /** Module parameters (default: the module's defaults). */
  params?: Record<number, number>;
}

export interface BurstResult {
  /** Mean |error| over the last 30 min before the burst. */
  preLevel: number;
  /** Readings after the burst until the 5-min mean |error| is back within 1.25 × preLevel. */
  recovery: number;
  /** Mean |error| over the first 30 min after the burst. */
  postMean: number;
  /** Mean |error| over the last 30 min of the burst (the model adapted to it, or not). */
  lateBurstMean: number;
  rollbacks: number;
  confirmedDrifts: number;
  errors: Float32Array;
}

const T0 = Date.UTC(2026, 0, 1);

export function runBurst(o: BurstOptions): BurstResult {
  const before = o.before ?? 3 * 3600;
  const burst = o.burst ?? 3600;
  const after = o.after ?? 2 * 3600;
  const n = before + burst + after;
  const samples: Sample[] = take(regressionDrift({ seed: o.seed, n, nFeatures: 4, driftAt: [], noise: 0.1 }));
  // The sensor that goes wrong is the one the target depends on most.
  const cov = [0, 1, 2, 3].map((i) => Math.abs(samples.slice(0, 1000).reduce((a, s) => a + s.x[i] * s.y, 0)));
  const bad = cov.indexOf(Math.max(...cov));
  const learner = new Learner().create(Kind.Linear, 4, { params: o.params ?? {} });
  const store = new MemoryStore({ history: 4 });
  const policy = new CheckpointPolicy({ everyReadings: 300, everyMs: 0 });
  const guard = new RollbackGuard({ enabled: o.guard, ...o.guardOptions });
  const errors = new Float32Array(n);
  const out = {} as Output;
  for (let t = 0; t < n; t++) {
    const s = samples[t];
    const inBurst = t >= before && t < before + burst;
    // The miscalibrated sensor: gain and offset drift, within a plausible range.
    const y = inBurst && o.mode === "target" ? 1.5 * s.y + 1 : s.y;
    const x = s.x.slice();
    if (inBurst && o.mode !== "target") x[bad] = 1.6 * x[bad] + 1.5;
    const now = T0 + t * 1000;
    const flags = learner.learn(y, x);
    learner.output(out);
    errors[t] = Math.abs(s.y - out.prediction);
    if (guard.observe(lossOf(Kind.Linear, out), flags, now) === "rollback") {
      const lkg = pickValid(store, "dev", (b) => learner.validate(b), () => {}, true).restored;
      if (lkg && learner.load(lkg.blob) === 0) {
        store.checkpoint("dev", lkg.blob, lkg.meta.readings, true);
        policy.saved("dev");
      }
    }
    if (policy.learned("dev", now)) {
      store.checkpoint("dev", learner.snapshot(), t + 1, guard.checkpoint());
      policy.saved("dev");
    }
  }
  const mean = (a: number, b: number) => {
    let sum = 0;
    for (let i = a; i < b; i++) sum += errors[i];
    return sum / (b - a);
  };
  const end = before + burst;
  const preLevel = mean(before - 1800, before);
  let recovery = after;
  for (let t = end; t + 300 <= n; t += 5) {
    if (mean(t, t + 300) <= 1.25 * preLevel) {
      recovery = t - end;
      break;
    }
  }
  return {
    preLevel,
    recovery,
    postMean: after >= 1800 ? mean(end, end + 1800) : Number.NaN,
    lateBurstMean: mean(end - 1800, end),
    rollbacks: guard.rollbacks,
    confirmedDrifts: guard.confirmedDrifts,
    errors,
  };
}
