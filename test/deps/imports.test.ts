// The dependency rule, for the module (assembly/) and the host (host/): no import circle, and
// no import that runs back up a layer. Layers are listed top (0) to bottom; a file may import
// its own layer's files (the circle check keeps those one-way) and any layer below.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importGraph, circles, upwardImports } from "./graph.js";

/** First matching prefix wins; undefined: the file is in no layer yet. */
function layerOf(layers: readonly (readonly [string, number])[]) {
  return (file: string): number | undefined => {
    for (const [prefix, n] of layers) if (file === prefix || file.startsWith(prefix)) return n;
    return undefined;
  };
}

// assembly/: a reading flows down.
const MODULE_LAYERS: [string, number][] = [
  ["assembly/index.ts", 0], // the exports
  ["assembly/learner.ts", 1], // one reading's pipeline
  ["assembly/state.ts", 1], // the blob's life
  ["assembly/anomaly.ts", 2],
  ["assembly/fold.ts", 2],
  ["assembly/drift/monitor.ts", 2], // drift detection and response (uses the model dispatch)
  ["assembly/guard.ts", 3],
  ["assembly/scale.ts", 3],
  ["assembly/metrics.ts", 3],
  ["assembly/params.ts", 3],
  ["assembly/zscore.ts", 3],
  ["assembly/score.ts", 3],
  ["assembly/models/", 3],
  ["assembly/drift/", 3],
  ["assembly/layout.ts", 4],
  ["assembly/memory.ts", 4],
  ["assembly/abi.ts", 4],
  ["assembly/util/", 5],
];

// host/: the commands on top, the frontends, the service and its parts as a reading flows
// through them, the module's wrapper and configuration, logging. The tools (demo, compare,
// stream simulators) are not the service: they sit beside it, each at the height of what it uses.
const HOST_LAYERS: [string, number][] = [
  ["host/index.ts", 0],
  ["host/api/", 0.5],
  ["host/cli/", 1], // every command; main.ts dispatches
  ["host/tools/demo/", 1.1], // broker + simulated sensors + the service with its frontends
  ["host/app/", 1.2],
  ["host/http/", 1.5],
  ["host/homeassistant/", 1.5],
  ["host/metrics/", 1.7],
  ["host/cluster/", 1.8],
  ["host/service/index.ts", 2], // startService
  ["host/service/service.ts", 2.1], // the composition and public face
  ["host/service/readings.ts", 2.2], // routing and the per-reading path
  ["host/service/health.ts", 2.3],
  ["host/service/checkpoints.ts", 2.4], // store, policy, rollback
  ["host/service/lifecycle.ts", 2.5], // which devices exist and what they hold
  ["host/service/", 2.6], // what the parts share: core, device state, formats, commands, results
  ["host/mqtt/", 3],
  ["host/health/", 3],
  ["host/devices/", 3],
  ["host/codecs/", 3],
  ["host/tools/compare/", 3],
  ["host/tools/sim/", 3],
  ["host/privacy/", 3.5],
  ["host/store/", 4],
  ["host/config/", 5],
  ["host/learner/", 5],
  ["host/logger.ts", 6],
  ["host/version.ts", 4.5],
];

// Known violations, to be removed by the work that fixes them; anything else fails.
const ALLOWED_CIRCLES = new Set<string>([]);
const ALLOWED_UPWARD = new Set<string>([]);

for (const [root, layers] of [["assembly", MODULE_LAYERS], ["host", HOST_LAYERS]] as const) {
  const graph = importGraph(root, (p) => p.includes("__tests__"));

  test(`${root}/: no import circle`, () => {
    const found = circles(graph).map((c) => c.join(" ↔ "));
    assert.deepEqual(found.filter((c) => !ALLOWED_CIRCLES.has(c)), [], "import circles");
  });

  test(`${root}/: no import back up a layer`, () => {
    const found = upwardImports(graph, layerOf(layers));
    assert.deepEqual(found.filter((e) => !ALLOWED_UPWARD.has(e)), [], "upward imports");
  });

  test(`${root}/: every file has a layer`, (t) => {
    const layer = layerOf(layers);
    const missing = [...graph.keys()].filter((f) => layer(f) === undefined);
    // The module must be complete. A new host folder (parallel work) is only reported until
    // it gets its row: its imports are still checked for circles.
    if (root === "assembly") assert.deepEqual(missing, [], "add these to MODULE_LAYERS");
    else for (const f of missing) t.diagnostic(`${f} is in no layer: add its folder to HOST_LAYERS`);
  });
}

test("the checker finds a circle and an upward import", () => {
  const g = new Map([["a.ts", ["b.ts"]], ["b.ts", ["a.ts", "c.ts"]], ["c.ts", []]]);
  assert.deepEqual(circles(g), [["a.ts", "b.ts"]]);
  assert.deepEqual(upwardImports(g, (f) => (f === "a.ts" ? 0 : f === "b.ts" ? 1 : 2)), ["b.ts → a.ts"]);
});

test("allowlisted violations that are gone are reported (remove them from the list)", (t) => {
  const host = circles(importGraph("host")).map((c) => c.join(" ↔ "));
  for (const c of ALLOWED_CIRCLES) if (!host.includes(c)) t.diagnostic(`${c} is gone: remove it from ALLOWED_CIRCLES`);
});
