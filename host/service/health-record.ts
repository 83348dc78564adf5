// The health object of one device, built from what the host keeps beside its model
// (host/service/device.ts). One builder for every process that publishes device health: the
// single-host service and a cluster worker owning the device's partition, so both send the same
// contract on `<output>/<device>/health`.

import { Count, type Learner } from "../learner/index.js";
import type { DevicePool, PoolDevice } from "../devices/pool.js";
import type { DeviceState } from "./device.js";

/** What the live model says about itself; null when the device has no model yet. */
export interface ModelFacts {
  readings: number;
  learned: number;
  stateBytes: number;
}

/** What a pooled device's model says; a device at rest is read through the pool's spare instance. */
export function modelFacts<M>(pool: DevicePool<M>, d: PoolDevice<M>): ModelFacts | null {
  if (!d.hasModel) return null;
  let l: Learner;
  if (d.slot >= 0) l = pool.use(d);
  else {
    l = pool.spare();
    l.load(d.blob);
  }
  return { readings: l.count(Count.Readings), learned: l.count(Count.Learned), stateBytes: l.stateLength };
}

export function deviceHealthRecord(
  st: DeviceState,
  ts: number,
  model: ModelFacts | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const lc = st.lastCheckpoint;
  return {
    ts,
    task: st.model.task,
    features: st.plan?.features ?? st.model.features,
    ...(st.plan?.target ? { target: st.plan.target } : {}),
    readings: st.readings,
    learned: st.learned,
    rejected: st.rejectedObject(),
    drifts: st.drifts,
    metrics: st.stats.value ?? {}, // released statistics only (host/privacy/aggregate.ts)
    model: model ? { readings: model.readings, learned: model.learned } : null,
    state_bytes: model ? model.stateBytes : 0,
    last_checkpoint: lc ? { seq: lc.seq, time: lc.time, readings: lc.readings, known_good: lc.knownGood } : null,
    ...extra,
    ...(st.failed ? { error: st.failed } : {}),
  };
}
