// Streams recorded on V8 from the small-RAM build itself, for the golden streams that need more
// staging than it has (regression: a 141-reading batch; logistic: 140; ar-exogenous: 220): the
// readings of the golden regression stream, in batches of at most 100 — 8 features for LINEAR and
// LOGISTIC (labels from the target's sign), the first 2 as the exogenous inputs of an AR model.
// Replayed on the microcontroller targets, they check those paths there bit for bit against V8.
// Recorded at run time, never stored: the golden vectors stay the reference.
import { type Op, type Stream, type Val, bitsF32, crc32, hex32, toHex, valBits, vf, vi } from "./format.js";
import { NodeMachine } from "./node-machine.js";
import { regressionRows } from "./generate-vectors.js";
import { Kind, OUTPUT_BYTES, Param } from "../../host/learner/abi.js";

const BATCH = 100;

class Recording {
  readonly ops: Op[] = [];
  constructor(private readonly m: NodeMachine) {}
  call(name: string, ...args: Val[]): number {
    const r = this.m.call(name, args);
    this.ops.push(["call", name, args, r]);
    return r === null ? 0 : valBits(r) | 0;
  }
  write(addr: number, bytes: Uint8Array): void {
    this.m.write(addr, bytes);
    this.ops.push(["write", addr, toHex(bytes)]);
  }
  read(addr: number, len: number): Uint8Array {
    return this.m.read(addr, len);
  }
  expect(addr: number, len: number): void {
    this.ops.push(["expect", addr, toHex(this.m.read(addr, len))]);
  }
  crc(addr: number, len: number): void {
    this.ops.push(["crc", addr, len, hex32(crc32(this.m.read(addr, len)))]);
  }
  fresh(): void {
    this.m.fresh();
    this.ops.push(["fresh"]);
  }
}

interface Recipe {
  name: string;
  kind: Kind;
  /** Features: the first nf of each golden regression row. */
  nf: number;
  /** set_param calls right after create. */
  params?: [Param, number][];
  /** The target's f32 bits from the row's. */
  target: (yBits: number) => number;
}

/** One stream: 40 single readings, batches, snapshot → fresh instance → load, more batches, counters. */
function record(small: Uint8Array, { name, kind, nf: NF, params = [], target }: Recipe): Stream {
  const r = new Recording(new NodeMachine(small));
  const pointers = () => ["input_ptr", "io_ptr", "output_ptr", "state_ptr"].map((n) => r.call(n));
  const [input, io, output, state] = pointers();
  const words = (w: number[]) => new Uint8Array(new Uint32Array(w).buffer);
  r.call("create", vi(kind), vi(NF));
  for (const [id, v] of params) r.call("set_param", vi(id), vf(v));
  const rows = regressionRows().map((row) => ({ x: row.x.slice(0, NF), y: target(row.y) }));
  const one = (row: { x: number[]; y: number }) => {
    r.write(input, words(row.x));
    r.call("learn_one", "f:" + hex32(row.y));
    r.expect(output, OUTPUT_BYTES);
  };
  const batch = (part: { x: number[]; y: number }[]) => {
    r.write(io, words(part.flatMap((row) => [...row.x, row.y])));
    r.call("learn_batch", vi(part.length));
    const out = io + part.length * (NF + 1) * 4;
    r.crc(out, part.length * OUTPUT_BYTES);
  };
  rows.slice(0, 40).forEach(one);
  for (let at = 40; at < 300; at += BATCH) batch(rows.slice(at, Math.min(at + BATCH, 300)));
  const len = r.call("snapshot");
  r.crc(state, len);
  const blob = r.read(state, len);
  r.fresh();
  pointers(); // the same answers on a fresh instance, recorded as a check
  r.write(io, blob);
  r.call("load", vi(len));
  for (let at = 300; at < 600; at += BATCH) batch(rows.slice(at, at + BATCH));
  rows.slice(0, 10).forEach(one);
  for (let id = 0; id < 16; id++) r.call("get_count", vi(id));
  r.call("get_metric", vi(0));
  r.crc(state, r.call("snapshot"));
  const set = params.length ? ` (${params.map(([id, v]) => `${Param[id]} = ${v}`).join(", ")})` : "";
  return { name, description: `${Kind[kind]}${set}, ${NF} features, recorded on V8 from the small-RAM build`, kind, n_features: NF, ops: r.ops };
}

export function smallStreams(small: Uint8Array): Stream[] {
  const ONE = 0x3f800000; // 1.0f
  return [
    record(small, { name: "small-regression-8", kind: Kind.Linear, nf: 8, target: (y) => y }),
    record(small, { name: "small-logistic-8", kind: Kind.Logistic, nf: 8, target: (y) => (bitsF32(y) > 0.5 ? ONE : 0) }),
    record(small, { name: "small-ar-exogenous-2", kind: Kind.AR, nf: 2, params: [[Param.ArExog, 1]], target: (y) => y }),
  ];
}
