// The conformance vectors, moved onto the small-RAM build (build/learner-small.wasm).
// Vectors hold absolute addresses of the module they were recorded from (build/learner.wasm).
// The small build places the same regions lower and smaller, and reports where through the same
// exports, so each stream is rewritten: addresses move region by region, and the pointer and
// capacity calls expect the small build's answers. A stream "fits" when every byte it touches
// lies inside the small build's regions and no call meets a capacity the small build lacks
// (ERR_CAPACITY / ERR_LENGTH where the recording had none); the rest are left out, with why.
import { readFileSync } from "node:fs";
import { type Machine, type Op, type Stream, type Val, replay, valBits, vi } from "./format.js";
import { NodeMachine } from "./node-machine.js";
import { ErrorCode, MAX_FEATURES, OUTPUT_BYTES } from "../../host/learner/abi.js";

export { SMALL_WASM } from "../../scripts/dist/small-ram.js";

type RegionName = "state" | "io" | "input" | "output";
/** Where a module keeps the regions a host may touch, as its exports report them. */
export type Layout = Record<RegionName, { at: number; bytes: number }>;

const POINTER_CALLS: Record<string, (l: Layout) => number> = {
  state_ptr: (l) => l.state.at,
  state_cap: (l) => l.state.bytes,
  io_ptr: (l) => l.io.at,
  io_cap: (l) => l.io.bytes,
  input_ptr: (l) => l.input.at,
  output_ptr: (l) => l.output.at,
};

export function layoutOf(wasm: Uint8Array): Layout {
  const e = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(wasm)), {}).exports as Record<string, () => number>;
  return {
    state: { at: e.state_ptr(), bytes: e.state_cap() },
    io: { at: e.io_ptr(), bytes: e.io_cap() },
    input: { at: e.input_ptr(), bytes: 4 * MAX_FEATURES },
    output: { at: e.output_ptr(), bytes: OUTPUT_BYTES },
  };
}

export interface Moved {
  stream: Stream;
  /** undefined when the stream fits the small build; otherwise why it does not. */
  left?: string;
}

/** Rewrites one stream from the `from` layout to the `to` layout (no replay yet). */
export function moveStream(s: Stream, from: Layout, to: Layout): Moved {
  const names = Object.keys(from) as RegionName[];
  const move = (addr: number, len: number): number | string => {
    const r = names.find((n) => addr >= from[n].at && addr + len <= from[n].at + from[n].bytes);
    if (!r) return `touches ${addr}..${addr + len}, outside every region of the recording module`;
    const off = addr - from[r].at;
    if (off + len > to[r].bytes) return `touches ${r} bytes ${off}..${off + len}; the small build has ${to[r].bytes}`;
    return to[r].at + off;
  };
  const ops: Op[] = [];
  for (const op of s.ops) {
    if (op[0] === "call") {
      const ptr = POINTER_CALLS[op[1]];
      ops.push(ptr ? ["call", op[1], op[2], vi(ptr(to))] : op);
    } else if (op[0] === "fresh") {
      ops.push(op);
    } else {
      const len = op[0] === "crc" ? op[2] : op[2].length / 2;
      const at = move(op[1], len);
      if (typeof at === "string") return { stream: s, left: at };
      ops.push(op[0] === "crc" ? ["crc", at, op[2], op[3]] : [op[0], at, op[2]]);
    }
  }
  return { stream: { ...s, ops } };
}

const CAPACITY_CODES = new Set<number>([ErrorCode.Capacity, ErrorCode.Length]);

/** A Machine that remembers the last call's answer, to tell a capacity refusal from a divergence. */
class Watched implements Machine {
  private last: { name: string; got: Val | null } | undefined;
  constructor(private readonly m: NodeMachine) {}
  call(name: string, args: Val[]): Val | null {
    const got = this.m.call(name, args);
    this.last = { name, got };
    return got;
  }
  read(addr: number, len: number): Uint8Array {
    this.last = undefined;
    return this.m.read(addr, len);
  }
  write(addr: number, bytes: Uint8Array): void {
    this.last = undefined;
    this.m.write(addr, bytes);
  }
  fresh(): void {
    this.m.fresh();
    this.last = undefined;
  }
  /** The call just made, when the last op was a call that the small build refused for capacity. */
  capacityRefusal(): string | undefined {
    const l = this.last;
    return l?.got?.startsWith("i:") && CAPACITY_CODES.has(valBits(l.got) | 0) ? l.name : undefined;
  }
}

export interface SmallVectors {
  /** Streams that fit, moved to the small layout, each replayed bit for bit on V8. */
  fit: Stream[];
  /** Streams left out: name and why. */
  left: { name: string; why: string }[];
  /** Streams that fit but diverged on V8 (a real failure). */
  failures: string[];
}

/** Moves every stream onto the small build and replays the ones that fit on V8. */
export function smallVectors(streams: Stream[], recordedWith: Uint8Array, small: Uint8Array): SmallVectors {
  const from = layoutOf(recordedWith);
  const to = layoutOf(small);
  const out: SmallVectors = { fit: [], left: [], failures: [] };
  const machine = new Watched(new NodeMachine(small));
  for (const s of streams) {
    const moved = moveStream(s, from, to);
    if (moved.left) {
      out.left.push({ name: s.name, why: moved.left });
      continue;
    }
    machine.fresh();
    const r = replay(moved.stream, machine);
    const refused = r.failure && machine.capacityRefusal();
    if (!r.failure) out.fit.push(moved.stream);
    else if (refused) out.left.push({ name: s.name, why: `${refused} meets the small build's capacity (${r.failure})` });
    else out.failures.push(r.failure);
  }
  return out;
}

export function readWasm(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
