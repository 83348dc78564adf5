// Reads what the conformance runners need from a .wasm file: its imports, memories and the
// signature of each exported function (the JS API only gives names).
export type ValType = "i32" | "i64" | "f32" | "f64";
export interface FuncSig {
  params: ValType[];
  results: ValType[];
}
export interface WasmInfo {
  imports: string[];
  memories: { min: number; max?: number }[];
  exports: Map<string, FuncSig>;
  memoryExport?: string;
}

const TYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };

export function wasmInfo(bytes: Uint8Array): WasmInfo {
  let p = 8;
  const u8 = () => bytes[p++];
  const leb = () => {
    let r = 0, shift = 0, b: number;
    do {
      b = u8();
      r |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return r >>> 0;
  };
  const name = () => {
    const n = leb();
    const s = Buffer.from(bytes.subarray(p, p + n)).toString("utf8");
    p += n;
    return s;
  };
  const types: FuncSig[] = [];
  const funcTypes: number[] = [];
  const info: WasmInfo = { imports: [], memories: [], exports: new Map() };
  const limits = () => {
    const flag = u8();
    const min = leb();
    return flag & 1 ? { min, max: leb() } : { min };
  };
  while (p < bytes.length) {
    const id = u8();
    const size = leb();
    const end = p + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        u8(); // 0x60
        const params = Array.from({ length: leb() }, () => TYPES[u8()]);
        const results = Array.from({ length: leb() }, () => TYPES[u8()]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const mod = name(), field = name(), kind = u8();
        info.imports.push(`${mod}.${field}`);
        if (kind === 0) funcTypes.push(leb()); // imported functions come first in the index space
        else if (kind === 1) (u8(), limits());
        else if (kind === 2) info.memories.push(limits());
        else if (kind === 3) (u8(), u8());
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcTypes.push(leb());
    } else if (id === 5) {
      for (let n = leb(); n > 0; n--) info.memories.push(limits());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const nm = name(), kind = u8(), idx = leb();
        if (kind === 0) info.exports.set(nm, types[funcTypes[idx]]);
        else if (kind === 2) info.memoryExport = nm;
      }
    }
    p = end;
  }
  return info;
}
