// Crash soak: the crash fault trials (test/faults/crash-harness.ts) many times over.
//
//   npm run build && node build/scripts/crash-soak.js [--trials 200] [--seed 1] [--every 50]
//
// Prints one line per trial and a summary; exits 1 if any trial failed (a state that did not
// restore, a skipped checkpoint, a device that did not learn again, or more than one checkpoint
// interval of learning lost).
import { parseArgs } from "node:util";
import { runCrashTrials } from "../test/faults/crash-harness.js";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
    every: { type: "string", default: "50" },
  },
});
const trials = Number(values.trials);
const t0 = Date.now();
const r = await runCrashTrials({
  trials,
  seed: Number(values.seed),
  everyReadings: Number(values.every),
  log: (m) => console.log(m),
});
const s = ((Date.now() - t0) / 1000).toFixed(0);
const resume = r.trials.map((t) => t.resumeMs).sort((a, b) => a - b);
console.log(
  `crash soak: ${r.trials.length}/${trials} trials in ${s} s; largest learning loss ${r.maxLoss} readings ` +
    `(bound ${r.everyReadings}); restart to learning again: median ${resume[resume.length >> 1] ?? "-"} ms, ` +
    `max ${resume.at(-1) ?? "-"} ms; failures ${r.failures.length}`,
);
for (const f of r.failures) console.log(`FAIL ${f}`);
process.exit(r.failures.length || r.trials.length < trials ? 1 : 0);
