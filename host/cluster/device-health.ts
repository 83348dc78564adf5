// A device's health in cluster mode: the single-host record (host/service/health-record.ts, one
// builder for both) with the model's own counts, plus where the device lives now.

import { deviceHealthRecord, modelFacts } from "../service/health-record.js";
import type { ClusterDevice, ClusterLearner } from "./learn.js";

/** The health object of a device this worker holds (a device at rest is read through the spare instance). */
export function clusterDeviceHealth(learner: ClusterLearner, d: ClusterDevice, worker: string, ts: number): Record<string, unknown> {
  const model = modelFacts(learner.pool, d);
  return deviceHealthRecord(d.meta, ts, model, { cluster: { worker, partition: d.meta.partition, stream_seq: d.meta.seq } });
}
