// CRC-32 (IEEE 802.3, reflected, init and xorout 0xFFFFFFFF) on the host side: the same checksum
// the module writes into every state blob header (docs/ABI.md), used to decode blobs without a
// module instance (inspect, tests) and to fingerprint states (conformance vectors).

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Folds bytes [from, to) into a running register (start with 0xFFFFFFFF). */
function update(c: number, b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** CRC-32 of the whole byte array. */
export function crc32(bytes: Uint8Array): number {
  return (update(0xffffffff, bytes, 0, bytes.length) ^ 0xffffffff) >>> 0;
}

/** A blob's CRC as its header defines it: bytes [0, 12) then [16, len), skipping the CRC field. */
export function blobCrc(b: Uint8Array, len: number): number {
  return (update(update(0xffffffff, b, 0, 12), b, 16, len) ^ 0xffffffff) >>> 0;
}
