// Property-based fuzzing at scale (test/fuzz/cases.ts): 1,000,000 generated MQTT payloads through
// the service and up to 100,000 generated configurations through the loader (a configuration costs ~5×
// a payload: JSON Schema validation, a file written and read for one in twelve), seeded by the day of
// the run (printed; EDGELEARN_FUZZ_SEED replays one). Configurations stop early when the run nears
// the harness's 300 s limit (a loaded machine); the row says how many ran. Rows: cases, failures
// (must be 0), outcomes.
import { compileLearner, DEFAULT_WASM } from "../host/learner/index.js";
import { fuzzConfigs, fuzzPayloads, type FuzzReport } from "../test/fuzz/cases.js";
import type { BenchModule, BenchRow } from "./types.js";

const bench: BenchModule = {
  name: "fuzz",
  description: "fuzzing: generated payloads through the service and configurations through the loader; crashes and invalid readings reaching a model (must be 0)",
  async run({ quick, log }) {
    const sizes = { payloads: quick ? 10_000 : 1_000_000, configurations: quick ? 2_000 : 100_000 };
    const seed = Number(process.env.EDGELEARN_FUZZ_SEED ?? Math.floor(Date.now() / 86_400_000));
    const module = compileLearner(DEFAULT_WASM);
    const t0 = Date.now();
    const rows: BenchRow[] = [];
    const details: Record<string, FuzzReport & { seed: number }> = {};
    const chunk = 50_000;
    for (const [what, fn] of [
      ["payloads", (k: number, s: number) => fuzzPayloads(k, s, module)],
      ["configurations", (k: number, s: number) => fuzzConfigs(k, s, module, 500)],
    ] as const) {
      // chunks with derived seeds: progress in the log, and a fresh service per chunk
      const total: FuzzReport = { cases: 0, failures: [], outcomes: {}, seconds: 0 };
      const n = sizes[what];
      for (let done = 0; done < n; done += chunk) {
        if (what === "configurations" && done > 0 && Date.now() - t0 > (quick ? 35_000 : 240_000)) break;
        const r = fn(Math.min(chunk, n - done), seed + done);
        total.cases += r.cases;
        total.seconds += r.seconds;
        total.failures.push(...r.failures);
        for (const [k, v] of Object.entries(r.outcomes)) total.outcomes[k] = (total.outcomes[k] ?? 0) + v;
        log(`${what}: ${total.cases} cases, ${total.failures.length} failures, ${Math.round(total.cases / total.seconds)}/s`);
      }
      details[what] = { ...total, seed };
      rows.push(
        { metric: `${what}: generated cases (seed ${seed})`, value: total.cases },
        { metric: `${what}: failures (crash, non-ConfigError, invalid reading learned)`, value: total.failures.length, note: "must be 0" },
        { metric: `${what}: cases/s`, value: Math.round(total.cases / total.seconds) },
        ...Object.entries(total.outcomes).map(([k, v]) => ({ metric: `${what}: ${k.replace(/_/g, " ")}`, value: v })),
      );
    }
    return { name: "fuzz", rows, details };
  },
};
export default bench;
