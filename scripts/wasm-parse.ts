// A small WebAssembly binary reader for the module checks (test/module) and the build's proof of
// the call depth (scripts/dist/wasm-call-depth.ts): sections, imports, memories,
// exports, start, and a full instruction decode of every function body (so an opcode is
// found by parsing, never by grepping bytes).

export class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, pos = 0, readonly end = b.length) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.end) throw new Error(`read past end at ${this.pos}`);
    return this.b[this.pos++];
  }
  u32(): number {
    let r = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      r += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return r;
      shift += 7;
      if (shift > 35) throw new Error("u32 LEB too long");
    }
  }
  /** Signed LEB up to n bits (value not needed, only skipped). */
  sleb(bits: number): void {
    for (let i = 0; ; i++) {
      const x = this.byte();
      if ((x & 0x80) === 0) return;
      if (i * 7 > bits) throw new Error("signed LEB too long");
    }
  }
  skip(n: number): void {
    if (this.pos + n > this.end) throw new Error("skip past end");
    this.pos += n;
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.skip(n);
    return s;
  }
}

export interface Section {
  id: number;
  start: number;
  end: number;
}

export function sections(bytes: Uint8Array): Section[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  magic.forEach((v, i) => {
    if (bytes[i] !== v) throw new Error("not a wasm v1 binary");
  });
  const r = new Reader(bytes, 8);
  const out: Section[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size });
    r.skip(size);
  }
  return out;
}

export interface Limits {
  min: number;
  max: number | undefined;
  shared: boolean;
  memory64: boolean;
}

function limits(r: Reader): Limits {
  const flags = r.byte();
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  return { min, max, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
}

export interface ModuleInfo {
  imports: { module: string; name: string; kind: number }[];
  memories: Limits[];
  exports: { name: string; kind: number; index: number }[];
  hasStart: boolean;
  /** Opcode counts over all function bodies, keyed "0x40" or "0xfc:10". */
  opcodes: Map<string, number>;
  functionBodies: number;
}

export function inspect(bytes: Uint8Array): ModuleInfo {
  const info: ModuleInfo = { imports: [], memories: [], exports: [], hasStart: false, opcodes: new Map(), functionBodies: 0 };
  for (const s of sections(bytes)) {
    const r = new Reader(bytes, s.start, s.end);
    if (s.id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) r.u32();
        else if (kind === 1) {
          r.byte();
          limits(r);
        } else if (kind === 2) info.memories.push(limits(r));
        else if (kind === 3) r.skip(2);
        else r.u32();
        info.imports.push({ module, name, kind });
      }
    } else if (s.id === 5) {
      for (let n = r.u32(); n > 0; n--) info.memories.push(limits(r));
    } else if (s.id === 7) {
      for (let n = r.u32(); n > 0; n--) info.exports.push({ name: r.name(), kind: r.byte(), index: r.u32() });
    } else if (s.id === 8) {
      info.hasStart = true;
    } else if (s.id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const size = r.u32();
        const end = r.pos + size;
        decodeBody(new Reader(bytes, r.pos, end), info.opcodes);
        r.pos = end;
        info.functionBodies++;
      }
    }
  }
  return info;
}

function count(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function blockType(r: Reader): void {
  const b = r.b[r.pos];
  if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.pos++;
  else r.sleb(33);
}

/**
 * Decodes one function body (locals, then instructions up to its end). onCall sees each call
 * instruction: the opcode (call, call_indirect, return_call, return_call_indirect) and its first
 * immediate (the function index, or the type index of an indirect call).
 */
export function decodeBody(r: Reader, ops: Map<string, number>, onCall?: (op: number, index: number) => void): void {
  for (let groups = r.u32(); groups > 0; groups--) {
    r.u32();
    r.byte();
  }
  while (r.pos < r.end) {
    const op = r.byte();
    const key = `0x${op.toString(16).padStart(2, "0")}`;
    count(ops, key);
    if (op === 0x02 || op === 0x03 || op === 0x04) blockType(r);
    else if (op === 0x0c || op === 0x0d) r.u32();
    else if (op === 0x0e) {
      for (let n = r.u32(); n > 0; n--) r.u32();
      r.u32();
    } else if (op === 0x10 || op === 0x12 || op === 0x11 || op === 0x13) {
      const index = r.u32(); // read even without onCall: `onCall?.(op, r.u32())` would skip the read
      if (op === 0x11 || op === 0x13) r.u32();
      if (onCall) onCall(op, index);
    } else if (op === 0x1c) {
      for (let n = r.u32(); n > 0; n--) r.byte();
    } else if (op >= 0x20 && op <= 0x26) r.u32();
    else if (op >= 0x28 && op <= 0x3e) {
      r.u32();
      r.u32();
    } else if (op === 0x3f || op === 0x40) r.byte();
    else if (op === 0x41) r.sleb(32);
    else if (op === 0x42) r.sleb(64);
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0xd0) r.byte();
    else if (op === 0xd2) r.u32();
    else if (op === 0xfc) {
      const sub = r.u32();
      ops.set(`${key}:${sub}`, (ops.get(`${key}:${sub}`) ?? 0) + 1);
      if (sub <= 7) continue;
      if (sub === 8) {
        r.u32();
        r.byte();
      } else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32();
      else if (sub === 10) r.skip(2);
      else if (sub === 11) r.byte();
      else if (sub === 12 || sub === 14) {
        r.u32();
        r.u32();
      } else throw new Error(`unknown 0xfc sub-opcode ${sub} at ${r.pos}`);
    } else if (
      op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b ||
      op === 0xd1 || (op >= 0x45 && op <= 0xc4)
    ) {
      // no immediates
    } else throw new Error(`unknown opcode 0x${op.toString(16)} at ${r.pos - 1}`);
  }
  if (r.b[r.end - 1] !== 0x0b) throw new Error("function body does not end with `end`");
}
