// The cycles of a directed graph: its strongly connected components (Tarjan) with more than one
// node, or one node with an edge to itself. Used for the import graph's circles (test/deps) and
// for the functions of a wasm module that can recur (scripts/dist/wasm-call-depth.ts).

/** Components on a cycle, in the order Tarjan's algorithm closes them, nodes as it pops them. */
export function graphCycles<T>(g: ReadonlyMap<T, readonly T[]>): T[][] {
  let index = 0;
  const idx = new Map<T, number>(), low = new Map<T, number>(), on = new Set<T>();
  const stack: T[] = [];
  const out: T[][] = [];
  const visit = (v: T): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const c: T[] = [];
    let w: T;
    do {
      w = stack.pop()!;
      on.delete(w);
      c.push(w);
    } while (w !== v);
    if (c.length > 1 || (g.get(v) ?? []).includes(v)) out.push(c);
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}
