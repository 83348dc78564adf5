// What the store reads from a state blob's header (docs/ABI.md, "Blob header"), and nothing
// more: the store keeps the CRC and length for inspection and to spot torn rows; whether a blob
// is a valid state is decided by the module (`validate`), never here.

import { HEADER_BYTES } from "../learner/abi.js";

/** CRC-32 field of the header (offset 12), or 0 when the blob is too short to have one. */
export function headerCrc(blob: Uint8Array): number {
  if (blob.length < HEADER_BYTES) return 0;
  return new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(12, true);
}

/**
 * Why a stored row cannot be a whole blob, or undefined when it looks whole. Catches rows torn
 * or altered on disk (the bytes no longer match what was recorded when they were written).
 */
export function rowDefect(blob: Uint8Array, bytes: number, crc: number): string | undefined {
  if (blob.length !== bytes) return `stored ${blob.length} bytes, recorded ${bytes}`;
  if (headerCrc(blob) !== crc) return `header CRC ${hex(headerCrc(blob))} ≠ recorded ${hex(crc)}`;
  return undefined;
}

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
