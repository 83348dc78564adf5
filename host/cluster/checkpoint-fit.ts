// Whether a checkpoint's model is of the task a worker configures for the device, before its blob
// is loaded, as on a single host: a model of another task must not continue (its outputs would
// mean something else). Its feature names are judged by devices/checkpoint-features.ts.
// (The blob's own feature count is compared with the device's features at its next reading, in
// ClusterLearner, as for a checkpoint without names.)

import type { ModelConfig } from "../config/types.js";
import { KIND_TASK } from "../devices/model.js";
import { readBlobHeader } from "../learner/inspect.js";

/**
 * Why a checkpoint's blob cannot be the device's model for its task, or undefined when it can (or
 * its kind is unknown: the module's validation refuses that blob).
 */
export function taskMismatch(model: ModelConfig, blob: Uint8Array): string | undefined {
  const header = readBlobHeader(blob);
  const task = header?.magicOk ? KIND_TASK[header.kind] : undefined;
  return task === undefined || task === model.task ? undefined : `the checkpoint is a ${task} model, the configuration says ${model.task}`;
}
