// A device's checkpoint in the models bucket: a 16-byte header, then the state blob unchanged
// (the module's own format: docs/ABI.md, "Blob header").
//
//   0  u32  magic "ELCK"
//   4  u16  version (1)
//   6  u16  reserved (0)
//   8  f64  stream sequence of the last reading this state has seen (exact up to 2^53)
//  16  ...  state blob

export const CHECKPOINT_MAGIC = 0x4b434c45; // "ELCK" little-endian
const HEADER = 16;

export interface Checkpoint {
  seq: number;
  blob: Uint8Array;
}

export function encodeCheckpoint(seq: number, blob: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + blob.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, CHECKPOINT_MAGIC, true);
  v.setUint16(4, 1, true);
  v.setFloat64(8, seq, true);
  out.set(blob, HEADER);
  return out;
}

/** The checkpoint, or a reason it is not one. The blob itself is validated by the module. */
export function decodeCheckpoint(value: Uint8Array): Checkpoint | string {
  if (value.length < HEADER) return `${value.length} bytes, shorter than the header`;
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (v.getUint32(0, true) !== CHECKPOINT_MAGIC) return "not a checkpoint (bad magic)";
  if (v.getUint16(4, true) !== 1) return `checkpoint version ${v.getUint16(4, true)} unknown`;
  const seq = v.getFloat64(8, true);
  if (!Number.isSafeInteger(seq) || seq < 0) return "bad stream sequence";
  return { seq, blob: value.slice(HEADER) };
}

/** Floor values are the sequence as decimal text (readable with any NATS tool). */
export function encodeFloor(seq: number): string {
  return String(seq);
}
export function decodeFloor(value: string): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
