// The online learner of `edgelearn compare`: the edgelearn module through host/learner, with
// the kind's default configuration (the same defaults the service uses), predict-then-learn on
// every row. A row the module's guard rejects gets no prediction and is scored as such.

import { Flag, Kind, Learner, Param } from "../../learner/index.js";
import type { Dataset, Task } from "./csv.js";
import type { OnlineLearner } from "./runners.js";

/**
 * Parses "NAME=VALUE" module parameter settings (names as in host/learner's Param, any case,
 * or numeric ids) into a parameter map; throws on an unknown name or a non-numeric value.
 */
export function parseParams(settings: string[]): Record<number, number> {
  const byName = new Map<string, number>();
  for (const [k, v] of Object.entries(Param)) if (typeof v === "number") byName.set(k.toLowerCase().replace(/_/g, ""), v);
  const out: Record<number, number> = {};
  for (const s of settings) {
    const eq = s.indexOf("=");
    const name = eq < 0 ? s : s.slice(0, eq);
    const key = name.toLowerCase().replace(/[_-]/g, "");
    const id = /^\d+$/.test(name) ? Number(name) : byName.get(key);
    const value = Number(s.slice(eq + 1));
    if (id === undefined) throw new Error(`unknown module parameter "${name}"; known: ${[...byName.keys()].join(", ")}`);
    if (eq < 0 || !Number.isFinite(value)) throw new Error(`--set ${s}: expected NAME=NUMBER`);
    out[id] = value;
  }
  return out;
}

export async function createModuleLearner(task: Task, ds: Dataset, params: Record<number, number> = {}): Promise<OnlineLearner> {
  const learner = await Learner.open();
  const kind = task === "regression" ? Kind.Linear : Kind.Logistic;
  learner.create(kind, ds.d, { params });
  const d = ds.d;
  const input = learner.input;
  // Parameter 32 is the module's drift detector (0 none; NaN in a module without one): when it
  // runs, its DRIFT flags mark the drifts in the report.
  const detector = learner.getParam(32);
  const detectsDrift = Number.isFinite(detector) && detector > 0;
  return {
    label: `edgelearn module (${task === "regression" ? "LINEAR" : "LOGISTIC"}, ${Object.keys(params).length ? Object.entries(params).map(([k, v]) => `${Param[Number(k)] ?? k}=${v}`).join(" ") : "default configuration"}, state ${learner.stateLength} B)`,
    detectsDrift,
    stateBytes: () => learner.stateLength,
    memoryBytes: () => learner.raw.memory.buffer.byteLength,
    learnOne(x, y) {
      for (let j = 0; j < d; j++) input[j] = x[j];
      const flags = learner.learn(y);
      return { prediction: flags & Flag.Predicted ? learner.prediction : NaN, flags };
    },
  };
}
