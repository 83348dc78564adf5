// wasm2c's call-depth count kept only where the module's binary says a function can recur
// (scripts/dist/wasm-call-depth.ts).
//
// wasm2c 1.0.32 counts the depth in every function (FUNC_PROLOGUE/FUNC_EPILOGUE, about 8
// instructions per call on a Cortex-M4F) when WASM_RT_USE_STACK_DEPTH_COUNT is on, as it is
// without guard pages, and traps past WASM_RT_MAX_CALL_STACK_DEPTH (M, 500) counted frames.
//  - No function can recur: at most EL_STATIC_CALL_DEPTH frames are ever live, at most M, so the
//    count could never trap; both macros are defined empty. Same behaviour, bounded C stack.
//  - Some can (a cycle of direct calls): those keep their count and every other function drops
//    it. A run of frames of non-recursive functions visits each at most once, so it is at most
//    EL_UNCOUNTED_CALL_DEPTH frames; the count still traps past M recursive frames, so at most
//    M + (M + 1) * EL_UNCOUNTED_CALL_DEPTH frames are live: the C stack stays bounded, and the
//    trap fires on exactly the runaway recursion it is there for. (WebAssembly leaves where call
//    stack exhaustion happens to the implementation; the limit is a configuration of wasm2c's.)
//  - No proof (a table, an indirect call, an imported function): the count stays everywhere.
// Deciding here, in the C, rather than with a compiler flag, keeps the proof and its use in one
// place for every image and for firmware users who compile learner.c themselves.
import { functionCount, staticCallDepth } from "./wasm-call-depth.js";

/** wasm2c's line after its FUNC_PROLOGUE/FUNC_EPILOGUE definitions (once in the file). */
const ANCHOR = "#define UNREACHABLE TRAP(UNREACHABLE)\n";
/** The first line of a function definition of wasm2c 1.0.32 (a long one wraps): `static u32 w2c_f12(Z_learner_instance_t* instance, ...`. */
const DEFINITION = /^static [\w ]+?\b(w2c_\w+)\(Z_\w+_instance_t\* instance\b/;
const PROLOGUE = "  FUNC_PROLOGUE;";
const EPILOGUE = "  FUNC_EPILOGUE;";

function fail(what: string): never {
  throw new Error(`${what}: a wabt other than 1.0.32? See scripts/dist/wasm2c-call-depth.ts`);
}

/**
 * The C without the prologue and epilogue lines of every function not in `keep`. wasm2c writes the
 * functions in index order, each with one prologue and one epilogue line: checked (the count, the
 * order, and the index in the name of each unnamed function, w2c_fN).
 */
function dropCounts(c: string, functions: number, keep: Set<number>): string {
  const lines = c.split("\n");
  let defined = "";
  let prologues = 0;
  let epilogues = 0;
  const out = lines.filter((line) => {
    const d = DEFINITION.exec(line);
    if (d) defined = d[1];
    if (line === PROLOGUE) {
      const f = prologues++;
      if (epilogues !== f) fail(`function ${f}'s prologue before the previous epilogue`);
      const n = /^w2c_f(\d+)$/.exec(defined);
      if (n && Number(n[1]) !== f) fail(`prologue #${f} is in ${defined}`);
      return keep.has(f);
    }
    if (line === EPILOGUE) {
      const f = epilogues++;
      if (prologues !== f + 1) fail(`function ${f}'s epilogue without its prologue`);
      return keep.has(f);
    }
    return true;
  });
  if (prologues !== functions || epilogues !== functions) fail(`${prologues} prologues and ${epilogues} epilogues for ${functions} functions`);
  return out.join("\n");
}

/** learner.c (wasm2c's output for `wasm`) with the call-depth count only in the functions that can recur. */
export function withCallDepthBound(generatedC: string, wasm: Uint8Array): string {
  const at = generatedC.indexOf(ANCHOR);
  if (at < 0 || generatedC.indexOf(ANCHOR, at + 1) >= 0) fail(`wasm2c's "${ANCHOR.trim()}" not found once`);
  const d = staticCallDepth(wasm);
  let c = generatedC;
  let text: string;
  if ("why" in d) {
    text = `/* Call depth: not reasoned about statically (${d.why.replace(/\*\//g, "* /")}), so wasm2c counts it in
 * every function (scripts/dist/wasm2c-call-depth.ts). */
`;
  } else if (d.recursive.size === 0) {
    text = `/* Call depth: every call in this module is a direct call to one of its own functions, and the
 * calls form no cycle, so at most EL_STATIC_CALL_DEPTH of its frames are live at once and the
 * depth count could never trap: it is dropped (scripts/dist/wasm2c-call-depth.ts). */
#define EL_STATIC_CALL_DEPTH ${d.depth}
#if EL_STATIC_CALL_DEPTH <= WASM_RT_MAX_CALL_STACK_DEPTH || !WASM_RT_USE_STACK_DEPTH_COUNT
#undef FUNC_PROLOGUE
#undef FUNC_EPILOGUE
#define FUNC_PROLOGUE
#define FUNC_EPILOGUE
#endif
`;
  } else {
    const functions = functionCount(wasm);
    c = dropCounts(c, functions, d.recursive);
    const names = [...d.recursive].sort((a, b) => a - b).join(", ");
    text = `/* Call depth: every call in this module is a direct call to one of its own functions; only
 * function${d.recursive.size > 1 ? "s" : ""} ${names} can recur (a cycle of calls), and only ${d.recursive.size > 1 ? "they count" : "it counts"} the depth.
 * Any other function occurs at most once in a run of uncounted frames, so such a run is at most
 * EL_UNCOUNTED_CALL_DEPTH frames deep (scripts/dist/wasm2c-call-depth.ts). */
#define EL_UNCOUNTED_CALL_DEPTH ${d.depth}
`;
  }
  const end = at + ANCHOR.length;
  return c.slice(0, end) + "\n" + text + c.slice(end);
}
