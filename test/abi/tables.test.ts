// One source of truth for the module's ids: assembly/abi.ts. The host's typed mirror
// (host/learner/abi.ts) and the tables of docs/ABI.md must say the same: every kind, error
// code, flag, parameter, counter and metric with the same id and name, none missing, none extra.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as host from "../../host/learner/abi.js";

/** `export const NAME: type = expr;` of assembly/abi.ts, with the integer expressions evaluated. */
function moduleConstants(): Map<string, number> {
  const out = new Map<string, number>();
  const src = readFileSync("assembly/abi.ts", "utf8");
  for (const m of src.matchAll(/^export const (\w+): \w+ = ([^;]+);/gm)) {
    const e = m[2].trim();
    const shift = /^(\d+) << (\d+)$/.exec(e);
    const v = shift ? Number(shift[1]) << Number(shift[2]) : Number(e);
    if (Number.isFinite(v)) out.set(m[1], v);
  }
  return out;
}

/** Entries of a group: constants named PREFIX* (minus the prefix), value → name. */
function group(c: Map<string, number>, prefixes: string[], strip: (n: string) => string): Map<number, string> {
  const out = new Map<number, string>();
  for (const [n, v] of c) if (prefixes.some((p) => n.startsWith(p))) out.set(v, strip(n));
  return out;
}

/** Comparable form of a name: letters and digits, lower case. */
const norm = (s: string) => s.replace(/[^A-Za-z0-9]/g, "").toLowerCase();

/** Rows "| id | NAME | …" of the first table after a heading of docs/ABI.md; "4–7 | A, B, C, D" expands. */
function docTable(heading: string): Map<number, string> {
  const doc = readFileSync("docs/ABI.md", "utf8");
  const at = doc.indexOf(`\n## ${heading}`);
  assert.ok(at >= 0, `docs/ABI.md has a section "${heading}"`);
  const out = new Map<number, string>();
  const lines = doc.slice(at + 1).split("\n");
  let seen = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith("## ")) break;
    if (!line.startsWith("|")) {
      if (seen && out.size > 0) break;
      continue;
    }
    seen = true;
    const cells = line.split("|").map((s) => s.trim());
    const range = /^(-?\d+)(?:[–-](\d+))?$/.exec(cells[1]);
    if (!range) continue;
    const lo = Number(range[1]), hi = range[2] === undefined ? lo : Number(range[2]);
    const names = cells[2].split(",").map((s) => s.trim().replace(/`/g, ""));
    for (let id = lo; id <= hi; id++) out.set(id, names[id - lo] ?? names[0]);
  }
  return out;
}

function hostEnum(e: object): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(e)) if (typeof v === "number") out.set(v, k);
  return out;
}

function same(what: string, a: Map<number, string>, b: Map<number, string>, alias: Record<string, string> = {}): void {
  const show = (m: Map<number, string>) => [...m].sort((x, y) => x[0] - y[0]).map(([v, n]) => `${v} ${norm(alias[n] ?? n)}`);
  assert.deepEqual(show(b), show(a), what);
}

const c = moduleConstants();
const kinds = group(c, ["KIND_"], (n) => n.slice(5));
const errors = group(c, ["ERR_"], (n) => n);
const flagBits = new Map([...group(c, ["REJ_", "F_"], (n) => n.replace(/^F_/, ""))].map(([v, n]) => [Math.log2(v), n]));
const params = group(c, ["P_"], (n) => n.slice(2));
const counts = group(c, ["C_"], (n) => n.slice(2));
const metrics = group(c, ["M_"], (n) => n.slice(2));

test("assembly/abi.ts: the groups are complete and their ids unique", () => {
  assert.equal(kinds.size, [...c.keys()].filter((k) => k.startsWith("KIND_")).length, "KIND_* ids are unique");
  assert.ok(kinds.size >= 6);
  assert.equal(params.size, c.get("N_CORE_PARAMS")! + c.get("N_MONITOR_PARAMS")!);
  for (const [name, g] of [["P_", params], ["C_", counts], ["M_", metrics]] as const) {
    const n = [...c.keys()].filter((k) => k.startsWith(name)).length;
    assert.equal(g.size, n, `${name}* ids are unique`);
  }
});

test("host/learner/abi.ts says what assembly/abi.ts says", () => {
  assert.equal(host.ABI_VERSION, c.get("ABI_VERSION"));
  assert.equal(host.MAGIC, c.get("MAGIC"));
  assert.equal(host.MAX_FEATURES, c.get("MAX_FEATURES"));
  assert.equal(host.REJECT_MASK, c.get("REJECT_MASK"));
  same("kinds", kinds, hostEnum(host.Kind));
  same("error codes", errors, new Map([...hostEnum(host.ErrorCode)].map(([v, n]) => [v, `ERR_${n}`])));
  same("flags", flagBits, new Map(Object.entries(host.Flag).map(([n, v]) => [Math.log2(v), n])));
  same("parameters", params, hostEnum(host.Param), { LearningRate: "LR" });
  same("counters", counts, hostEnum(host.Count));
  same("metrics", metrics, hostEnum(host.Metric));
  same("drift detectors", group(c, ["DETECTOR_"], (n) => n.slice(9)), hostEnum(host.DriftDetector));
  same("drift responses", group(c, ["RESPONSE_"], (n) => n.slice(9)), hostEnum(host.DriftResponse), { ResetAccumulators: "RESET" });
});

test("docs/ABI.md's tables say what assembly/abi.ts says", () => {
  same("Model kinds", kinds, docTable("Model kinds"));
  same("Error codes", errors, docTable("Error codes"));
  same("Flags", flagBits, docTable("Flags"));
  same("Counters", counts, docTable("Counters"));
  same("Metrics", metrics, docTable("Metrics"));
});

test("docs/ABI.md's parameter tables list every parameter of assembly/abi.ts", () => {
  const all = readFileSync("docs/ABI.md", "utf8");
  const doc = all.slice(all.indexOf("\n## Parameters"), all.indexOf("\n## Counters"));
  const rows = new Map<number, string>();
  for (const m of doc.matchAll(/^\| (\d+) \| (\w+) \|/gm)) {
    const id = Number(m[1]);
    if (params.has(id) && !rows.has(id)) rows.set(id, m[2]);
  }
  const inDoc = new Map([...params].map(([v]) => [v, rows.get(v) ?? "(missing)"]));
  same("Parameters", params, inDoc);
});
