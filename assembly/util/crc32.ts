// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and xorout 0xFFFFFFFF),
// nibble-table variant: 64 bytes of table, two lookups per byte.

const NIBBLE_TABLE: usize = memory.data<u32>([
  0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
  0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
]);

/** Continues a CRC over [p, p + n); start with crc = 0xFFFFFFFF, finish with ~crc. */
export function crcUpdate(crc: u32, p: usize, n: i32): u32 {
  for (let i = 0; i < n; i++) {
    crc ^= <u32>load<u8>(p + <usize>i);
    crc = (crc >>> 4) ^ load<u32>(NIBBLE_TABLE + ((<usize>crc & 15) << 2));
    crc = (crc >>> 4) ^ load<u32>(NIBBLE_TABLE + ((<usize>crc & 15) << 2));
  }
  return crc;
}

/** CRC-32 of n bytes at p (exposed for specs). */
export function crc32(p: usize, n: i32): u32 {
  return ~crcUpdate(0xFFFFFFFF, p, n);
}
