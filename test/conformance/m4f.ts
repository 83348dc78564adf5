// Builds the Cortex-M4F images from build/learner.wasm and runs them under qemu-system-arm:
//   node build/test/conformance/m4f.js            replay the conformance vectors on the target
//   node build/test/conformance/m4f.js measure    size, instructions per learn call (-icount)
//   node build/test/conformance/m4f.js measure range   the same with the guard as a range test alone
// (`npm run build` first; needs wabt, gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm.)
import { m4fImages, sh } from "./runners.js";
import { CORTEX_M4F, qemuArgs } from "../../scripts/dist/firmware.js";

const measure = process.argv[2] === "measure";
const { replay, measure: measureElf, measureRange } = m4fImages();
const elf = measure ? (process.argv[3] === "range" ? measureRange : measureElf) : replay;
console.log(sh("arm-none-eabi-size", ["-A", elf]).stdout.split("\n").filter((l) => /^\.(isr|text|data|bss|stack|ARM)/.test(l)).join("\n"));
const args = [...(measure ? ["-icount", "shift=0"] : []), ...qemuArgs(CORTEX_M4F.machine, elf)];
console.log(`$ qemu-system-arm ${args.join(" ")}`);
const r = sh("qemu-system-arm", args);
process.stdout.write(r.stdout + r.stderr);
process.exit(r.status ?? 1);
