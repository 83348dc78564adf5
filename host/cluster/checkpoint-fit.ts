// Whether a checkpoint fits the device a worker configures, before its blob is loaded, as on a
// single host: a model of another task, or learned on other fields than the device's, must not
// continue (its outputs would mean something else, or its weights apply to the wrong inputs).
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

/** Why a checkpoint learned on `recorded` cannot be the device's model, or undefined when it can (or records no names). */
export function featuresMismatch(model: ModelConfig, tsField: string, recorded: readonly string[] | undefined): string | undefined {
  if (!recorded) return undefined;
  const configured = model.features;
  if (configured.length > 0) {
    const same = configured.length === recorded.length && configured.every((f, i) => f === recorded[i]);
    return same ? undefined : `the checkpoint was learned on features ${list(recorded)}, the configured ones are ${list(configured)}`;
  }
  // Inferred features never include the target or the timestamp field.
  if (recorded.some((f) => f === model.target || f === tsField)) {
    return `the checkpoint was learned on features ${list(recorded)}, which now include the target or the timestamp field`;
  }
  return undefined;
}

function list(names: readonly string[]): string {
  return names.length ? names.join(", ") : "(none)";
}
