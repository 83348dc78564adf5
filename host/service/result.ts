// The one result convention of the service's public operations (Service, the commands, the
// rollback guard's and the dashboard's calls into it):
//
//   - An operation that can fail returns a Result: `{ ok: true, value }` or
//     `{ ok: false, reason, error }`. It does not throw for an expected failure (unknown device,
//     no model yet, no store, the store failing, no checkpoint to go back to, a blob the module
//     refuses); a throw means a bug or a broken invariant.
//   - `reason` is a stable word to branch on (an HTTP status, a retry); `error` is a sentence for
//     people and logs, the same text a command reply carries in its "error" field.
//   - An operation that cannot fail returns its value directly (hostHealth) or nothing
//     (publishHealth, addHealthFields).
//
// Why a value, not an exception: the callers (MQTT commands, HTTP, the guard) all turn a failure
// into a reply or a log line at once, and a reading's path must never unwind through them.

export type Failure =
  /** No device of that name. */
  | "unknown_device"
  /** The device exists but has no model yet (its features are not known). */
  | "no_model"
  /** The pool is full or no rule accepts the device. */
  | "capacity"
  /** No store is configured (store.type none). */
  | "no_store"
  /** The store is failing (e.g. a full disk); writes are retried later. */
  | "store_unavailable"
  /** The store has no checkpoint to go back to (none known-good, or not that seq). */
  | "no_checkpoint"
  /** The module refused the blob, or it does not fit the device's configuration. */
  | "refused"
  /** A command the service does not know, or malformed. */
  | "bad_request";

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: Failure; readonly error: string };

export type Failed = Extract<Result<never>, { ok: false }>;

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(reason: Failure, error: string): Failed {
  return { ok: false, reason, error };
}

/** The failure of an operation on a device that is not there. */
export function unknownDevice(name: string): Failed {
  return fail("unknown_device", `unknown device ${JSON.stringify(name).slice(0, 140)}`);
}
