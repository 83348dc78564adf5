// The small-RAM build (build/learner-small.wasm) on a part with 32 KiB of RAM and 64 KiB of flash:
// where its memory ends, how many conformance streams it holds, and per target (Cortex-M4F hard
// float, Cortex-M3 soft float) the measuring image's flash and RAM and its instructions per
// learn call under qemu -icount. `node build/bench/run.js --only small-ram`
import type { BenchModule, BenchRow } from "./types.js";
import { loadStreams } from "../test/conformance/runners.js";
import { WASM_PATH } from "../test/conformance/paths.js";
import { SMALL_WASM, layoutOf, readWasm, smallVectors } from "../test/conformance/small-ram-vectors.js";
import { smallStreams } from "../test/conformance/small-ram-streams.js";
import { CORTEX_TARGETS, targetName } from "../scripts/dist/firmware.js";
import { buildImages, footprint, measureOn, prepareSmall, replayOn, smallToolsMissing } from "../test/conformance/small-ram-images.js";
import { staticEnd } from "../scripts/dist/small-ram.js";

/** Clock of a typical board of each class, for an upper bound at one instruction per cycle. */
const CLOCK: Record<string, [number, string]> = { m4f: [64e6, "64 MHz Cortex-M4F (nRF52840)"], m3: [72e6, "72 MHz Cortex-M3 (STM32F103)"] };

const bench: BenchModule = {
  name: "small-ram",
  description: "small-RAM build: highest address, streams it holds; Cortex-M4F and Cortex-M3 (soft float) flash/RAM and instructions per learn call in a 32 KiB-RAM part",
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    const l = layoutOf(readWasm(SMALL_WASM));
    rows.push({ metric: "small-RAM build: state / staging capacity", value: `${l.state.bytes} / ${l.io.bytes}`, unit: "bytes" });
    const v = smallVectors(loadStreams(), readWasm(WASM_PATH), readWasm(SMALL_WASM));
    rows.push({ metric: "conformance streams that fit the small-RAM build", value: `${v.fit.length} of ${v.fit.length + v.left.length}`, note: v.left.length ? `left out: ${v.left.map((x) => `${x.name} (${x.why})`).join("; ")}` : undefined });
    const missing = quick ? "not in --quick" : smallToolsMissing();
    if (missing) return { name: "small-ram", rows: [...rows, { metric: "small-RAM images", value: "SKIPPED", note: missing }] };
    const end = staticEnd(); // asks the compiler: a few seconds, so not in --quick
    rows.unshift({ metric: "small-RAM build: highest address used + 1", value: end, unit: "bytes", note: "goal ≤ 16384" });
    const streams = [...v.fit, ...smallStreams(readWasm(SMALL_WASM))];
    const prepared = prepareSmall(streams);
    const details: Record<string, unknown> = {};
    for (const t of CORTEX_TARGETS) {
      const name = targetName(t);
      log(`${name}…`);
      const images = buildImages(t, end, prepared);
      const replay = replayOn(t, images.replay);
      const f = footprint(images.measure);
      const m = measureOn(t, images.measure);
      const mr = measureOn(t, images.measureRange); // the guard a range test alone
      const [hz, board] = CLOCK[t.id];
      details[t.id] = { footprint: f, replayFootprint: footprint(images.replay), measured: m };
      rows.push(
        { metric: `${name}: streams bit-identical to V8`, value: `${replay.passed.length} of ${streams.length}`, note: replay.failures.join("; ") || `${v.fit.length} golden streams that fit + ${streams.length - v.fit.length} recorded on the small build (LINEAR and LOGISTIC with 8 features, AR with 2 exogenous)` },
        { metric: `${name}: flash (learner + runtime + minimal I/O)`, value: f.flash, unit: "bytes", note: `goal ≤ 65536; ${(f.flash / 1024).toFixed(1)} KiB` },
        { metric: `${name}: RAM (data + bss + stack)`, value: f.ram, unit: "bytes", note: `goal ≤ 32768; ${end} linear memory, ${f.stack} stack (${m.stackUsed} used)` },
        { metric: `${name}: instructions per learn_one, 8 features`, value: Math.round(m.learnOneInstructions), unit: "instructions", note: "LINEAR, defaults, after 200 warm-up readings" },
        { metric: `${name}: instructions per reading in learn_batch(100)`, value: Math.round(m.learnBatchInstructionsPerReading), unit: "instructions" },
        { metric: `readings/s upper bound on a ${board}`, value: Math.round(hz / m.learnOneInstructions), unit: "readings/s", note: "at 1 instruction/cycle; real CPI is higher" },
        { metric: `${name}: instructions per learn_one, the guard a range test alone`, value: Math.round(mr.learnOneInstructions), unit: "instructions", note: `STUCK_K = SPIKE_T = 0, the rest at defaults: ${Math.round(hz / mr.learnOneInstructions)} readings/s on the ${board} at 1 instruction/cycle` },
      );
    }
    return { name: "small-ram", rows, details };
  },
};

export default bench;
