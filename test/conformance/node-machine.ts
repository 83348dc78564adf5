// The Node.js (V8) runner: a Machine over WebAssembly.Instance. The generator records through it,
// and the conformance test replays the stored vectors through a fresh one.
import { type Machine, type Val, bitsF32, f32Bits, valBits, vi, vfBits } from "./format.js";
import { type FuncSig, wasmInfo } from "./wasm-info.js";

export class NodeMachine implements Machine {
  private readonly module: WebAssembly.Module;
  private readonly sigs: Map<string, FuncSig>;
  private readonly memName: string;
  instance!: WebAssembly.Instance;
  private mem!: Uint8Array;

  constructor(wasm: Uint8Array) {
    const info = wasmInfo(wasm);
    if (info.imports.length) throw new Error(`module has imports: ${info.imports.join(", ")}`);
    if (!info.memoryExport) throw new Error("module exports no memory");
    this.sigs = info.exports;
    this.memName = info.memoryExport;
    this.module = new WebAssembly.Module(new Uint8Array(wasm));
    this.fresh();
  }

  fresh(): void {
    this.instance = new WebAssembly.Instance(this.module, {});
    this.mem = new Uint8Array((this.instance.exports[this.memName] as WebAssembly.Memory).buffer);
  }

  sig(name: string): FuncSig {
    const s = this.sigs.get(name);
    if (!s) throw new Error(`no exported function ${name}`);
    return s;
  }

  call(name: string, args: Val[]): Val | null {
    const sig = this.sig(name);
    const fn = this.instance.exports[name] as (...a: number[]) => number;
    const r = fn(...args.map((a) => (a.startsWith("f:") ? bitsF32(valBits(a)) : valBits(a) | 0)));
    if (sig.results.length === 0) return null;
    return sig.results[0] === "f32" ? vfBits(f32Bits(r)) : vi(r);
  }

  read(addr: number, len: number): Uint8Array {
    return this.mem.slice(addr, addr + len);
  }

  write(addr: number, bytes: Uint8Array): void {
    this.mem.set(bytes, addr);
  }
}
