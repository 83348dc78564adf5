// What a state blob holds, as a typed record: the header as stored (magic, ABI version, kind,
// length, CRC and whether it matches), the module's verdict, and when the module accepts it the
// feature count, parameters, counters and metrics by name. Used by `edgelearn inspect` and exported
// for applications that keep blobs themselves.

import { Count, ErrorCode, HEADER_BYTES, Kind, MAGIC, Metric, Param, errorName } from "./abi.js";
import { blobCrc } from "./crc32.js";
import { Learner } from "./index.js";

/** The 16-byte header as stored (docs/ABI.md "Blob header"); nothing here is trusted. */
export interface BlobHeader {
  magic: number;
  magicOk: boolean;
  abiVersion: number;
  kind: number;
  /** Name of the kind (Kind enum), undefined for an unknown id. */
  kindName: string | undefined;
  /** Length field: the blob's size as its header states it. */
  length: number;
  crcStored: number;
  /** CRC-32 over the bytes the header covers; undefined when the length field does not fit the bytes. */
  crcComputed: number | undefined;
  crcOk: boolean;
}

export interface BlobInfo {
  bytes: number;
  /** Undefined when the blob is shorter than a header. */
  header: BlobHeader | undefined;
  /** Whether the module accepts the blob (`load` returned 0). */
  valid: boolean;
  /** The module's error code when it refuses the blob (ErrorCode.Length for a blob shorter than a header). */
  error: ErrorCode | undefined;
  /** Symbolic name of `error`, e.g. "ERR_CRC". */
  errorName: string | undefined;
  /** The rest is present only for a valid blob. */
  features?: number;
  /** Parameter values by Param name (NaN for an id the kind does not have). */
  params?: Record<string, number>;
  counts?: Record<string, number>;
  /** Metrics by Metric name; NaN when not defined yet. */
  metrics?: Record<string, number>;
}

function enumEntries(e: object): [string, number][] {
  return Object.entries(e).filter(([, v]) => typeof v === "number") as [string, number][];
}

/** Decodes the header fields of a blob without a module; undefined when it is shorter than a header. */
export function readBlobHeader(blob: Uint8Array): BlobHeader | undefined {
  if (blob.length < HEADER_BYTES) return undefined;
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = v.getUint32(0, true);
  const kind = v.getUint16(6, true);
  const length = v.getUint32(8, true);
  const crcStored = v.getUint32(12, true);
  const crcComputed = length <= blob.length && length >= HEADER_BYTES ? blobCrc(blob, length) : undefined;
  return {
    magic,
    magicOk: magic === MAGIC,
    abiVersion: v.getUint16(4, true),
    kind,
    kindName: Kind[kind],
    length,
    crcStored,
    crcComputed,
    crcOk: crcComputed === crcStored,
  };
}

/**
 * Describes a blob. Its contents are read by loading it into `learner` (whose own state is
 * replaced when the blob is valid); by default a fresh instance is used and nothing else changes.
 */
export function inspectBlob(blob: Uint8Array, learner: Learner = new Learner()): BlobInfo {
  const header = readBlobHeader(blob);
  if (!header) return { bytes: blob.length, header, valid: false, error: ErrorCode.Length, errorName: errorName(ErrorCode.Length) };
  const code = learner.load(blob);
  if (code !== 0) return { bytes: blob.length, header, valid: false, error: code, errorName: errorName(code) };
  const named = (e: object, get: (id: number) => number) => Object.fromEntries(enumEntries(e).map(([name, id]) => [name, get(id)]));
  return {
    bytes: blob.length,
    header,
    valid: true,
    error: undefined,
    errorName: undefined,
    features: learner.nFeatures,
    params: named(Param, (id) => learner.getParam(id)),
    counts: named(Count, (id) => learner.count(id)),
    metrics: named(Metric, (id) => learner.metric(id)),
  };
}
