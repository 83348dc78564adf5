// The import graph of a source tree: every relative import, re-export and dynamic import of
// each .ts file, resolved to the file it names. Package imports are left out.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, dirname, relative, sep } from "node:path";
import { graphCycles } from "../../scripts/graph-cycles.js";

export type Graph = Map<string, string[]>;

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*\(?\s*["']([^"']+)["']/g;

function walk(dir: string, skip: (p: string) => boolean, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (skip(p)) continue;
    if (statSync(p).isDirectory()) walk(p, skip, out);
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Strips comments so an import mentioned in prose is not an edge. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = join(dirname(from), spec);
  for (const c of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) if (existsSync(c)) return c;
  return undefined;
}

/** Graph of the .ts files under root (paths relative to the working directory, with "/"). */
export function importGraph(root: string, skip: (p: string) => boolean = () => false): Graph {
  const g: Graph = new Map();
  const norm = (p: string) => relative(".", p).split(sep).join("/");
  for (const f of walk(root, skip, [])) {
    const deps = new Set<string>();
    for (const m of code(readFileSync(f, "utf8")).matchAll(IMPORT)) {
      const r = resolve(f, m[1] ?? m[2]);
      if (r) deps.add(norm(r));
    }
    g.set(norm(f), [...deps].sort());
  }
  return g;
}

/** Strongly connected components with more than one file, or a file importing itself: the circles. */
export function circles(g: Graph): string[][] {
  return graphCycles(g).map((c) => c.sort());
}

/** Edges a → b where b's layer is above a's (a smaller number is a higher layer); files
 * without a layer (undefined) are left out. */
export function upwardImports(g: Graph, layer: (file: string) => number | undefined): string[] {
  const out: string[] = [];
  for (const [a, deps] of g) {
    const la = layer(a);
    if (la === undefined) continue;
    for (const b of deps) {
      const lb = layer(b);
      if (lb !== undefined && lb < la) out.push(`${a} → ${b}`);
    }
  }
  return out;
}
