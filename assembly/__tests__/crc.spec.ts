import { crc32 } from "../util/crc32";
import { blobCrc } from "../state";

const buf = memory.data(64, 8);

function put(s: i32[]): i32 {
  for (let i = 0; i < s.length; i++) store<u8>(buf + <usize>i, <u8>s[i]);
  return s.length;
}

describe("crc32", () => {
  it("matches the IEEE 802.3 check value for \"123456789\"", () => {
    const n = put([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
    expect(crc32(buf, n)).toBe(0xcbf43926);
  });
  it("is 0 for no bytes", () => {
    expect(crc32(buf, 0)).toBe(0);
  });
  it("blobCrc skips bytes 12..15 (the CRC field)", () => {
    for (let i = 0; i < 32; i++) store<u8>(buf + <usize>i, <u8>(i * 7));
    const a = blobCrc(buf, 32);
    store<u8>(buf + 13, 99);
    expect(blobCrc(buf, 32)).toBe(a);
    store<u8>(buf + 20, 99);
    expect(blobCrc(buf, 32)).not.toBe(a);
  });
});
