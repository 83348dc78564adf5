// Test stand-ins for module state blobs: a real ABI header (magic, version, kind, length, CRC-32
// over [0,12) and [16,len)) around a payload, and a validator with the module's checks, so store
// tests do not depend on build/learner.wasm.

import { blobCrc } from "../../host/learner/crc32.js";

const crcOf = (b: Uint8Array) => blobCrc(b, b.length);

/** A valid blob of `bytes` bytes whose payload encodes `tag`. */
export function fakeBlob(tag: number, bytes = 64): Uint8Array {
  const b = new Uint8Array(bytes);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x4e524c45, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 1, true);
  v.setUint32(8, bytes, true);
  v.setFloat64(16, tag, true);
  v.setUint32(12, crcOf(b), true);
  return b;
}

export function tagOf(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(16, true);
}

/** The module's verdict on a fake blob: 0, ERR_MAGIC (-1), ERR_LENGTH (-4) or ERR_CRC (-5). */
export function fakeValidate(b: Uint8Array): number {
  if (b.length < 24) return -4;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== 0x4e524c45) return -1;
  if (v.getUint32(8, true) !== b.length) return -4;
  return v.getUint32(12, true) === crcOf(b) ? 0 : -5;
}
