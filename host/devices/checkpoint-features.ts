// Whether a checkpoint learned on the feature names it recorded can continue as a device's model,
// on a single host and in cluster mode alike: its weights belong to those fields, so other fields
// would be learned into the wrong inputs.

/**
 * Why a checkpoint that recorded `recorded` cannot be the model of a device whose features are
 * `current` (configured, or inferred already; undefined while still to be inferred), or undefined
 * when it can, or records no names. Inferred features never include the target or the timestamp field.
 */
export function featuresMismatch(current: readonly string[] | undefined, recorded: readonly string[] | undefined, target: string | undefined, tsField: string): string | undefined {
  if (!recorded) return undefined;
  if (current) {
    const same = current.length === recorded.length && current.every((f, i) => f === recorded[i]);
    return same ? undefined : `the checkpoint was learned on features ${list(recorded)}, the device's are ${list(current)}`;
  }
  if (recorded.some((f) => f === target || f === tsField)) {
    return `the checkpoint was learned on features ${list(recorded)}, which now include the target or the timestamp field`;
  }
  return undefined;
}

function list(names: readonly string[]): string {
  return names.length ? names.join(", ") : "(none)";
}
