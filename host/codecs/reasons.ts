// Why a reading was refused. Host reasons come from the codecs and the service; module reasons from
// the flags of learn_one (docs/ABI.md, "Flags"). Health reports the count of each by these names.

export const HOST_REASONS = [
  "too_large", // payload over input.maxPayloadBytes
  "malformed_json", // not JSON, or empty
  "not_object", // JSON, but neither an object (flat reading) nor an array (SenML)
  "wrong_type", // a string, object or list where a number belongs
  "missing_field", // a configured feature absent from the reading
  "bad_timestamp", // ts neither Unix ms nor an ISO 8601 date that exists, or (also a SenML time) not between 1970 and 2200
  "bad_senml", // an array that is not a valid SenML pack (RFC 8428)
  "no_features", // features inferred from the first reading, and it had no numeric field
  "model_error", // the device's model could not be created or loaded (see the log)
  "duplicate", // redelivered by the broker (MQTT DUP flag) with a timestamp not after the device's last learned reading
] as const;
export type HostReason = (typeof HOST_REASONS)[number];

/** Reasons that belong to the host as a whole, not to one device (no device state is created for them). */
export const GLOBAL_REASONS = [
  "unknown_topic", // not <input>/<device>, or a device no rule accepts
  "device_cap", // a new device beyond pool.maxDevices
  "retained", // a retained reading replayed on subscribe (input.skipRetained)
  "bad_command", // a command that could not be parsed
  "bad_payload", // a payload that does not parse (any host reason of the codecs) for a device that does not exist yet: none is created
] as const;
export type GlobalReason = (typeof GLOBAL_REASONS)[number];

/** Module reject flags, bit → name. Bits 0–3 reject the reading; 4–5 predict without learning. */
export const MODULE_REASONS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, "nonfinite"],
  [1 << 1, "range"],
  [1 << 2, "stuck"],
  [1 << 3, "spike"],
  [1 << 4, "no_target"],
  [1 << 5, "bad_target"],
];

/** Every per-device reason, host first then module, in the order health lists them. */
export const DEVICE_REASONS: readonly string[] = [...HOST_REASONS, ...MODULE_REASONS.map(([, n]) => n)];

/** Every module reject bit (0–5): a reading with any of them set was rejected or not learned. */
export const MODULE_REASON_MASK: number = MODULE_REASONS.reduce((m, [bit]) => m | bit, 0);
