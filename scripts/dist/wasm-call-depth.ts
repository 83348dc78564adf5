// What a module's binary proves about its call depth: which functions can recur, and how deep the
// calls of all the others can nest.
//
// wasm2c counts the call depth in every function (WASM_RT_USE_STACK_DEPTH_COUNT) and traps past a
// limit, because in general it cannot know the depth is bounded. The count is only needed where a
// chain of calls can return to a function already on it: every call the module can make must be
// a direct `call` to one of its own functions, and then only the functions on a cycle of the call
// graph (a strongly connected component with an edge inside it) can recur. Any other function
// occurs at most once in a run of uncounted frames, so such a run is at most `depth` frames (the
// longest path among them). So nothing is proven for a table (an element segment, a table defined
// or imported), a call_indirect or return_call_indirect, or an imported function (host code may
// call back into the module); an opcode the decoder does not know stops the reading.
import { Reader, decodeBody, sections } from "../wasm-parse.js";
import { graphCycles } from "../graph-cycles.js";

export type CallDepth =
  | {
      /** Defined functions (0 = the first function body) on a cycle of direct calls: the ones to count. */
      recursive: Set<number>;
      /** The most frames of the other functions live in a row: the whole depth when none recurs. */
      depth: number;
    }
  | { why: string };

const SECTION = { import: 2, table: 4, element: 9, code: 10 };
const CALL = 0x10;
const RETURN_CALL = 0x12;

/** The direct calls of each function body (callee indices counted from the first body), or why there is more than direct calls. */
function callGraph(wasm: Uint8Array): number[][] | string {
  const callees: number[][] = [];
  for (const s of sections(wasm)) {
    const r = new Reader(wasm, s.start, s.end);
    if (s.id === SECTION.table) return "the module defines a table";
    if (s.id === SECTION.element) return "the module has element segments";
    if (s.id === SECTION.import) {
      for (let n = r.u32(); n > 0; n--) {
        const name = `${r.name()}.${r.name()}`;
        const kind = r.byte();
        if (kind === 0) return `the module imports the function ${name}`;
        if (kind === 1) return `the module imports the table ${name}`;
        if (kind === 2) {
          const flags = r.byte();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 3) r.skip(2);
        else r.u32();
      }
    }
    if (s.id === SECTION.code) {
      for (let n = r.u32(); n > 0; n--) {
        const size = r.u32();
        const end = r.pos + size;
        const calls: number[] = [];
        let indirect = false;
        decodeBody(new Reader(wasm, r.pos, end), new Map(), (op, index) => {
          if (op === CALL || op === RETURN_CALL) calls.push(index);
          else indirect = true;
        });
        if (indirect) return `function ${callees.length} makes an indirect call`;
        callees.push(calls);
        r.pos = end;
      }
    }
  }
  for (const [f, calls] of callees.entries())
    for (const g of calls) if (g >= callees.length) throw new Error(`function ${f} calls function ${g}, which the module does not define`);
  return callees;
}

/** The module's recursive functions and the depth of the rest, or why calls cannot be reasoned about statically. */
export function staticCallDepth(wasm: Uint8Array): CallDepth {
  const callees = callGraph(wasm);
  if (typeof callees === "string") return { why: callees };
  // functions on a cycle of direct calls: members of a strongly connected component with an edge inside it
  const recursive = new Set(graphCycles(new Map(callees.map((calls, f) => [f, calls]))).flat());
  // Longest run of frames of non-recursive functions: a longest path in the graph without the
  // recursive ones, which has no cycle (memoized depth-first search).
  const depth = new Map<number, number>();
  const run = (f: number): number => {
    let d = depth.get(f);
    if (d !== undefined) return d;
    d = 1;
    for (const g of callees[f]) if (!recursive.has(g)) d = Math.max(d, 1 + run(g));
    depth.set(f, d);
    return d;
  };
  let max = 0;
  for (let f = 0; f < callees.length; f++) if (!recursive.has(f)) max = Math.max(max, run(f));
  return { recursive, depth: max };
}

/** How many functions the module defines (its function bodies). */
export function functionCount(wasm: Uint8Array): number {
  const code = sections(wasm).find((s) => s.id === SECTION.code);
  return code ? new Reader(wasm, code.start, code.end).u32() : 0;
}
