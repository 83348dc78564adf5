// The health object of one device, built from what the host keeps beside its model
// (host/service/device.ts). One builder for every process that publishes device health: the
// single-host service and a cluster worker owning the device's partition, so both send the same
// contract on `<output>/<device>/health`.

import type { DeviceState } from "./device.js";

/** What the live model says about itself; null when the device has no model yet. */
export interface ModelFacts {
  readings: number;
  learned: number;
  stateBytes: number;
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
