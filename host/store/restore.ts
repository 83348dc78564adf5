// Restore on start: each device comes back from its newest checkpoint the module accepts.
// Checkpoints the module refuses (CRC, version, kind, length, ...) are skipped for the previous
// one and every skip is logged with its reason; a device with no acceptable checkpoint starts
// fresh, and that is logged too. Nothing here throws on bad data.

import { errorName } from "../learner/abi.js";
import { hex } from "./blob.js";
import type { StateStore, StoredBlob } from "./types.js";

/** The module's verdict on a blob: 0 when it would load, else a negative ABI error code. */
export type BlobValidator = (blob: Uint8Array) => number;

export interface Skipped {
  seq: number;
  reason: string;
}

export interface RestoreResult {
  device: string;
  /** The checkpoint to load, or undefined: the device starts fresh. */
  restored?: StoredBlob;
  skipped: Skipped[];
}

/**
 * Picks the newest checkpoint of `device` that `validate` accepts, optionally among known-good
 * ones only (rollback). Logs every skipped checkpoint and the outcome through `log`.
 */
export function pickValid(
  store: StateStore,
  device: string,
  validate: BlobValidator,
  log: (msg: string) => void,
  knownGoodOnly = false,
): RestoreResult {
  // The usual case first: the newest (known-good) checkpoint is valid, one row read.
  const first = knownGoodOnly ? store.lastKnownGood(device) : store.newest(device);
  if (first && safeValidate(validate, first.blob) === 0) return { device, restored: first, skipped: [] };
  const skipped: Skipped[] = [];
  for (const c of store.candidates(device)) {
    if (knownGoodOnly && !c.meta.knownGood) continue;
    const code = safeValidate(validate, c.blob);
    if (typeof code === "string") {
      skipped.push({ seq: c.meta.seq, reason: code });
      log(`device ${device}: checkpoint ${c.meta.seq} skipped (${code})`);
      continue;
    }
    if (code === 0) {
      if (skipped.length) {
        log(`device ${device}: using checkpoint ${c.meta.seq} (${c.meta.readings} readings) after skipping ${skipped.length}`);
      }
      return { device, restored: c, skipped };
    }
    const reason = `${errorName(code)}, ${c.meta.bytes} bytes, crc ${hex(c.meta.crc)}`;
    skipped.push({ seq: c.meta.seq, reason });
    log(`device ${device}: checkpoint ${c.meta.seq} refused by the module: ${reason}; trying the previous one`);
  }
  if (!knownGoodOnly) log(`device ${device}: no checkpoint is valid (${skipped.length} refused); starting fresh`);
  return { device, skipped };
}

function safeValidate(validate: BlobValidator, blob: Uint8Array): number | string {
  try {
    return validate(blob);
  } catch (e) {
    return `validator threw: ${(e as Error)?.message ?? e}`;
  }
}

/**
 * Restores every device the store knows; the caller loads `restored` blobs into the pool. What the
 * store itself could not read it reports through its own log and `problems()`.
 */
export function restoreAll(store: StateStore, validate: BlobValidator, log: (msg: string) => void): RestoreResult[] {
  return store.devices().map((d) => pickValid(store, d, validate, log));
}
