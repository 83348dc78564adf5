// The conformance vector format, shared by the generator and every runner written in TypeScript.
//
// A vector file is JSON: one stream of operations on a fresh instance of build/learner.wasm.
// Every value crosses as an exact bit pattern in hex, never as a decimal float:
//   Val     "i:xxxxxxxx" (i32) or "f:xxxxxxxx" (f32 bits), big-endian hex of the 32-bit word
//   ["call", export, [Val...], Val | null]   call an export, compare the result bit for bit
//   ["write", addr, "hex bytes"]             write bytes into linear memory at addr
//   ["expect", addr, "hex bytes"]            memory at addr must hold exactly these bytes
//   ["crc", addr, len, "xxxxxxxx"]           CRC-32 (IEEE) of memory [addr, addr+len) must match
//   ["fresh"]                                drop the instance, start a new one from the same file
// Addresses are absolute: the generator asks the module (io_ptr(), state_ptr() ...) and records
// those calls too, so a runner that disagrees on a pointer fails on the call, not on the data.
import { createHash } from "node:crypto";

export type Val = string;
export type Op =
  | ["call", string, Val[], Val | null]
  | ["write", number, string]
  | ["expect", number, string]
  | ["crc", number, number, string]
  | ["fresh"];

export interface Stream {
  name: string;
  description: string;
  kind: number;
  n_features: number;
  ops: Op[];
}

export interface StreamSummary {
  name: string;
  file: string;
  description: string;
  kind: number;
  n_features: number;
  ops: number;
  calls: number;
  readings: number;
  final_state_len: number;
  final_state_crc32: string;
  final_state_sha256: string;
}

export interface Manifest {
  format: 1;
  abi_version: number;
  wasm_sha256: string;
  wasm_bytes: number;
  seed: number;
  regenerate: string;
  streams: StreamSummary[];
}

export const REGENERATE = "npm run vectors";

// ---- bit helpers -------------------------------------------------------------------------

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

export function f32Bits(x: number): number {
  f32buf[0] = x;
  return u32buf[0];
}
export function bitsF32(b: number): number {
  u32buf[0] = b >>> 0;
  return f32buf[0];
}
export function hex32(b: number): string {
  return (b >>> 0).toString(16).padStart(8, "0");
}
export const vi = (n: number): Val => "i:" + hex32(n);
export const vf = (x: number): Val => "f:" + hex32(f32Bits(x));
export const vfBits = (b: number): Val => "f:" + hex32(b);
export function valBits(v: Val): number {
  return parseInt(v.slice(2), 16) >>> 0;
}
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
export function fromHex(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, "hex"));
}

/** CRC-32 as in docs/ABI.md (one implementation for the host and the tests). */
import { crc32 } from "../../host/learner/crc32.js";
export { crc32 };
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Human-readable form of a Val for failure messages: "f:3f800000 (1)". */
export function showVal(v: Val | null): string {
  if (v === null) return "(none)";
  const b = valBits(v);
  return v.startsWith("f:") ? `${v} (${bitsF32(b)})` : `${v} (${b | 0})`;
}

// ---- replay --------------------------------------------------------------------------------

/** What a runner must provide: call an export by name, read and write memory, start over. */
export interface Machine {
  call(name: string, args: Val[]): Val | null;
  read(addr: number, len: number): Uint8Array;
  write(addr: number, bytes: Uint8Array): void;
  fresh(): void;
}

export interface ReplayResult {
  ops: number;
  calls: number;
  /** First mismatch, or undefined when every op matched. */
  failure?: string;
}

/** Replays one stream against a machine and stops at the first mismatch. */
export function replay(stream: Stream, m: Machine): ReplayResult {
  let calls = 0;
  const ops = stream.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const at = `${stream.name} op #${i}`;
    switch (op[0]) {
      case "call": {
        calls++;
        const got = m.call(op[1], op[2]);
        if (got !== op[3])
          return { ops: i, calls, failure: `${at}: ${op[1]}(${op[2].join(", ")}) returned ${showVal(got)}, expected ${showVal(op[3])}` };
        break;
      }
      case "write":
        m.write(op[1], fromHex(op[2]));
        break;
      case "expect": {
        const want = op[2];
        const got = toHex(m.read(op[1], want.length / 2));
        if (got !== want) {
          let k = 0;
          while (got[k] === want[k]) k++;
          const byte = k >> 1;
          return { ops: i, calls, failure: `${at}: memory at ${op[1]} differs from byte ${byte}: got ${got.slice(byte * 2, byte * 2 + 16)}, expected ${want.slice(byte * 2, byte * 2 + 16)}` };
        }
        break;
      }
      case "crc": {
        const got = hex32(crc32(m.read(op[1], op[2])));
        if (got !== op[3]) return { ops: i, calls, failure: `${at}: CRC-32 of memory [${op[1]}, +${op[2]}) is ${got}, expected ${op[3]}` };
        break;
      }
      case "fresh":
        m.fresh();
        break;
    }
  }
  return { ops: ops.length, calls };
}
