// The soak (bench/lib/soak.ts) at any size:
//
//   npm run build && node build/scripts/soak.js [--readings 10000000] [--devices 1000]
//
// Prints progress, then the report as JSON; exits 1 if readings were lost or learned twice, or a
// fault was not handled.
import { parseArgs } from "node:util";
import { runSoak } from "../bench/lib/soak.js";

const { values } = parseArgs({ options: { readings: { type: "string", default: "10000000" }, devices: { type: "string", default: "1000" } } });
const r = await runSoak({ readings: Number(values.readings), devices: Number(values.devices), log: (m) => console.error(m) });
const { rssMiB, ...rest } = r;
const mib = rssMiB.map((s) => s.mib);
// RSS over time (one sample per 10 s: seconds since the start → MiB; a service restart starts a new process)
const series = rssMiB.filter((_, k) => k % 10 === 0).map((x) => `${x.t}:${x.mib}`).join(" ");
console.log(JSON.stringify({ ...rest, rss: { first: mib[0], max: Math.max(...mib), last: mib.at(-1), samples: mib.length, series } }, null, 1));
process.exit(r.lost || r.learnedTwice || r.failures.length ? 1 : 0);
