// The boundary between the service (host/service, issue 4) and durable state (host/store, issue 5).
// The service only ever sees this interface; the SQLite store and an in-memory store implement it.
// Blobs are the module's state blobs (docs/ABI.md): the store never interprets them beyond
// keeping their CRC and length for inspection; validity is decided by the module (`validate`).

export interface CheckpointMeta {
  device: string;
  /** Per-device, strictly increasing. */
  seq: number;
  /** Unix milliseconds when the checkpoint was written. */
  time: number;
  /** Readings the device had seen when the checkpoint was taken. */
  readings: number;
  /** CRC-32 from the blob header. */
  crc: number;
  bytes: number;
  /** True once the health monitor vouched for this checkpoint. */
  knownGood: boolean;
}

/**
 * What the service keeps beside a blob so that a restart continues where it stopped: neither is
 * a reading's value. Absent in checkpoints written before they were recorded.
 */
export interface CheckpointContext {
  /** Unix ms of the device's last learned reading: a redelivery not after it was learned before. */
  lastTs?: number;
  /** The model's input fields, in order (configured, or inferred from the device's first reading). */
  features?: readonly string[];
  /**
   * The rollback guard's own state at the checkpoint (host/health/guard.ts), a JSON object kept as
   * it is: a restart resumes judging from it.
   */
  guard?: Readonly<Record<string, unknown>>;
}

export interface StoredBlob extends CheckpointContext {
  meta: CheckpointMeta;
  blob: Uint8Array;
}

export interface CheckpointRequest extends CheckpointContext {
  device: string;
  blob: Uint8Array;
  readings: number;
  knownGood: boolean;
}

export interface StateStore {
  /** Every device that has at least one checkpoint. */
  devices(): string[];
  /**
   * Checkpoints of a device, newest first, for restore: the caller tries each until the module
   * accepts one, and logs why the others were refused. Rows the store itself cannot read
   * (torn, unreadable) are reported through `problems`, never thrown.
   */
  candidates(device: string): StoredBlob[];
  /** The newest readable checkpoint only (the usual restore: one row read instead of the history). */
  newest(device: string): StoredBlob | undefined;
  /** Writes a new checkpoint atomically and prunes history beyond the configured bound. */
  checkpoint(device: string, blob: Uint8Array, readings: number, knownGood: boolean): CheckpointMeta;
  /** Several checkpoints in one transaction (one sync to disk): periodic and shutdown flushes. */
  checkpointMany(items: CheckpointRequest[]): CheckpointMeta[];
  /** The newest checkpoint marked known-good, if any. */
  lastKnownGood(device: string): StoredBlob | undefined;
  markKnownGood(device: string, seq: number): void;
  /** Forget a device entirely (command `reset` with purge). */
  remove(device: string): void;
  /** What the store could not read when it opened or since (for the log and health). */
  problems(): string[];
  close(): void;
}
