// A device's checkpoint in the models bucket: a 16-byte header, version 2's feature names, then
// the state blob unchanged (the module's own format: docs/ABI.md, "Blob header").
//
//   0  u32  magic "ELCK"
//   4  u16  version: 1 (no feature names) or 2
//   6  u16  reserved (0)
//   8  f64  stream sequence of the last reading this state has seen (exact up to 2^53)
//  16  ...  version 1: state blob
//  16  u32  version 2: F, then F bytes of the model's feature names in order (a JSON array of
//           strings, UTF-8), then the state blob
//
// The names let a new owner read a device's fields by name (inferred features are otherwise only
// known by count until the next reading) and refuse a model learned on other configured features.
// Version 1 is still written when the names are not known (a forgotten device's empty record, a
// model loaded from a version-1 record and not yet read), so those stay readable by workers of
// the release before version 2; any version-1 record loads as before.
//
// No last-reading timestamp is kept, unlike single-host checkpoints: there it refuses a broker's
// redelivery of a reading already learned, which the broker gives no identity. Here every reading
// has its stream sequence, and a redelivery or a new owner's replay is refused by the device's
// sequence and the partition floor.

export const CHECKPOINT_MAGIC = 0x4b434c45; // "ELCK" little-endian
const HEADER = 16;

export interface Checkpoint {
  seq: number;
  blob: Uint8Array;
  /** The model's feature names in order (version 2), or undefined (version 1). */
  features?: string[];
}

export function encodeCheckpoint(seq: number, blob: Uint8Array, features?: readonly string[]): Uint8Array {
  const names = features ? Buffer.from(JSON.stringify(features), "utf8") : undefined;
  const start = names ? HEADER + 4 + names.length : HEADER;
  const out = new Uint8Array(start + blob.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, CHECKPOINT_MAGIC, true);
  v.setUint16(4, names ? 2 : 1, true);
  v.setFloat64(8, seq, true);
  if (names) {
    v.setUint32(HEADER, names.length, true);
    out.set(names, HEADER + 4);
  }
  out.set(blob, start);
  return out;
}

/** The checkpoint, or a reason it is not one. The blob itself is validated by the module. */
export function decodeCheckpoint(value: Uint8Array): Checkpoint | string {
  if (value.length < HEADER) return `${value.length} bytes, shorter than the header`;
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (v.getUint32(0, true) !== CHECKPOINT_MAGIC) return "not a checkpoint (bad magic)";
  const version = v.getUint16(4, true);
  if (version !== 1 && version !== 2) return `checkpoint version ${version} unknown`;
  const seq = v.getFloat64(8, true);
  if (!Number.isSafeInteger(seq) || seq < 0) return "bad stream sequence";
  if (version === 1) return { seq, blob: value.slice(HEADER) };
  if (value.length < HEADER + 4) return "feature names cut off";
  const size = v.getUint32(HEADER, true);
  const start = HEADER + 4 + size;
  if (start > value.length) return "feature names cut off";
  const features = featureNames(value.subarray(HEADER + 4, start));
  if (!features) return "feature names are not a list of names";
  return { seq, blob: value.slice(start), features };
}

function featureNames(bytes: Uint8Array): string[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
  return Array.isArray(list) && list.every((f) => typeof f === "string") ? list : undefined;
}

/** Floor values are the sequence as decimal text (readable with any NATS tool). */
export function encodeFloor(seq: number): string {
  return String(seq);
}
export function decodeFloor(value: string): number {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
