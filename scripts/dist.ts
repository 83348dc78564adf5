// `npm run dist`: the release artifacts in dist/ (not committed):
//   edgelearn-<version>.tgz           the npm package (npm pack; prepack builds it)
//   learner.wasm, learner.wasm.sha256  the module, its SHA-256 (sha256sum -c format)
//   firmware/edgelearn.h              the C header (constants, records, exports) for wasm2c users
//   firmware/learner.c, learner.h     the module translated by wasm2c (rewritten: dist/wasm2c-rewrite.ts)
//   firmware/wasm-rt-static.c         the static-memory wasm2c runtime (no malloc, no signals)
//   firmware/m4f/libedgelearn-m4f.a   Cortex-M4F (hard float) library: module + runtime
//   firmware/wasm-rt.h                wabt 1.0.32's runtime header, which the libraries were compiled against
//   firmware/m4f/el-example-m4f.elf   tools/firmware/el_example.c linked for QEMU mps2-an386, run once
//   firmware/example/                 the example kit (scripts/dist/example-kit.ts): Makefile, el_example.c,
//                                      startup.c, linker scripts; every example image is linked by it
//   learner-small.wasm (+ .sha256), firmware/small/  the small-RAM build: the same files, and for the
//                                      Cortex-M4F (m4f/) and the soft-float Cortex-M3 (m3/) a library
//                                      backing only the memory it uses and the example linked for a
//                                      32 KiB-RAM / 64 KiB-flash part (tools/m4f/small-32k.ld), run
//                                      once under QEMU mps2-an386 / mps2-an385
//   CHANGELOG.md, LICENSE, release.json (versions, hashes, sizes), SHA256SUMS
// Needs wabt and gcc-arm-none-eabi (.ci/run installs them); qemu-system-arm for the example run.

import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ABI_VERSION } from "../host/learner/abi.js";
import { CORTEX_M4F, ROOT, buildCortexM, cortexToolsMissing, have, runExample, sh, sha256File, systemNpmEnv, targetLabel, translate, type CortexBuild } from "./dist/firmware.js";
import { SMALL_WASM, smallFirmware } from "./dist/small-ram.js";
import { writeExampleKit } from "./dist/example-kit.js";
import { CORTEX_FLAGS } from "./dist/flags.js";

const DIST = join(ROOT, "dist");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const log = (s: string) => process.stdout.write(s + "\n");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Logs a library's objects and the example's footprint; returns the library's totals. */
function logBuild(b: CortexBuild, prefix: string, note = ""): { text: number; data: number; bss: number } {
  const total = b.librarySize.reduce((a, o) => ({ text: a.text + o.text, data: a.data + o.data, bss: a.bss + o.bss }), { text: 0, data: 0, bss: 0 });
  for (const o of b.librarySize) log(`  ${o.file.padEnd(20)} text ${o.text}  data ${o.data}  bss ${o.bss}`);
  log(`${prefix}${basename(b.library)}  text ${total.text}  data ${total.data}  bss ${total.bss}`);
  log(`${prefix}${basename(b.example)}  flash ${b.exampleSize.text + b.exampleSize.data}  RAM ${b.exampleSize.data + b.exampleSize.bss} (stack included${note})`);
  return total;
}

function main(): number {
  const missing = cortexToolsMissing();
  if (missing) {
    process.stderr.write(`dist: ${missing}\n`);
    return 1;
  }
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });

  // The module: its own abi_version() must be the ABI version the host tables were written for.
  const wasm = join(ROOT, "build/learner.wasm");
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), {});
  const moduleAbi = (inst.exports.abi_version as () => number)();
  if (moduleAbi !== ABI_VERSION) {
    process.stderr.write(`dist: build/learner.wasm reports ABI ${moduleAbi}, host/learner/abi.ts says ${ABI_VERSION}\n`);
    return 1;
  }
  copyFileSync(wasm, join(DIST, "learner.wasm"));
  const wasmSha = sha256File(wasm);
  writeFileSync(join(DIST, "learner.wasm.sha256"), `${wasmSha}  learner.wasm\n`);
  log(`learner.wasm  ${statSync(wasm).size} bytes  ABI ${ABI_VERSION}  sha256 ${wasmSha}`);

  // The npm package (prepack rebuilds the module and the library first).
  log("npm pack ...");
  const packOut = sh("npm", ["pack", "--json", "--pack-destination", DIST], ROOT, systemNpmEnv());
  const tarball = (JSON.parse(packOut.slice(packOut.search(/^\[/m))) as { filename: string }[])[0].filename;
  if (sha256File(wasm) !== wasmSha) throw new Error("prepack rebuilt a different learner.wasm (the build is not reproducible?)");
  log(`${tarball}  ${statSync(join(DIST, tarball)).size} bytes`);

  // Firmware: the header, the translated module, the M4F library and the example image.
  const fw = join(DIST, "firmware");
  translate(wasm, fw, { packageVersion: pkg.version, wasmSha256: wasmSha });
  const kit = writeExampleKit(join(fw, "example"));
  const m4f = buildCortexM(fw, join(fw, "m4f"), { kit });
  rmSync(join(fw, "m4f/obj"), { recursive: true, force: true });
  const exampleRun = have("qemu-system-arm") ? runExample(m4f, "the M4F example") : "not run (qemu-system-arm not found)";
  const lib = m4f.librarySize;
  const libTotal = logBuild(m4f, "");

  // The small-RAM build: the same learner below 16 KiB, for a part with 32 KiB of RAM.
  copyFileSync(SMALL_WASM, join(DIST, "learner-small.wasm"));
  const smallSha = sha256File(SMALL_WASM);
  writeFileSync(join(DIST, "learner-small.wasm.sha256"), `${smallSha}  learner-small.wasm\n`);
  const small = smallFirmware(join(fw, "small"), { packageVersion: pkg.version, wasmSha256: smallSha }, have("qemu-system-arm"), kit);
  log(`learner-small.wasm  ${statSync(SMALL_WASM).size} bytes  linear memory used ${small.memoryBytes} bytes`);
  for (const b of small.builds) {
    rmSync(join(fw, "small", b.target.id, "obj"), { recursive: true, force: true });
    // Every core learns exactly what the default build learns on the M4F (and Node: the tests).
    if (typeof b.run !== "string" && typeof exampleRun !== "string" && (b.run.prediction !== exampleRun.prediction || b.run.state_crc !== exampleRun.state_crc))
      throw new Error(`the small-RAM ${b.target.id} example learned differently from the default build's: ${JSON.stringify(b.run)} vs ${JSON.stringify(exampleRun)}`);
    logBuild(b, "small/", "; 32 KiB-RAM/64 KiB-flash part");
  }

  copyFileSync(join(ROOT, "CHANGELOG.md"), join(DIST, "CHANGELOG.md"));
  copyFileSync(join(ROOT, "LICENSE"), join(DIST, "LICENSE"));
  const release = {
    name: pkg.name,
    version: pkg.version,
    abiVersion: ABI_VERSION,
    npm: { file: tarball, sha256: sha256File(join(DIST, tarball)) },
    wasm: { file: "learner.wasm", bytes: statSync(wasm).size, sha256: wasmSha },
    firmware: {
      header: "firmware/edgelearn.h",
      wasm2c: sh("wasm2c", ["--version"]).trim(),
      compiler: sh("arm-none-eabi-gcc", ["--version"]).split("\n")[0],
      target: targetLabel(CORTEX_M4F),
      flags: CORTEX_FLAGS,
      exampleKit: "firmware/example/ (make run)",
      library: { file: "firmware/m4f/libedgelearn-m4f.a", objects: lib, total: libTotal },
      example: { file: "firmware/m4f/el-example-m4f.elf", ...m4f.exampleSize, qemu: exampleRun },
      small: {
        wasm: { file: "learner-small.wasm", bytes: statSync(SMALL_WASM).size, sha256: smallSha, linearMemoryBytes: small.memoryBytes },
        ...Object.fromEntries(
          small.builds.map((b) => [
            b.target.id,
            {
              target: targetLabel(b.target),
              library: { file: `firmware/small/${b.target.id}/${basename(b.library)}`, objects: b.librarySize, extraFlags: [`-DEL_MEMORY_BYTES=${small.memoryBytes}u`] },
              example: { file: `firmware/small/${b.target.id}/${basename(b.example)}`, linkerScript: "firmware/example/small-32k.ld", qemuMachine: b.target.machine, ...b.exampleSize, qemu: b.run },
            },
          ]),
        ),
      },
    },
  };
  writeFileSync(join(DIST, "release.json"), JSON.stringify(release, null, 2) + "\n");
  const sums = files(DIST)
    .filter((f) => !f.endsWith("SHA256SUMS"))
    .sort()
    .map((f) => `${sha256File(f)}  ${relative(DIST, f)}`);
  writeFileSync(join(DIST, "SHA256SUMS"), sums.join("\n") + "\n");
  log(`dist/: ${sums.length} files (SHA256SUMS, release.json)`);
  return 0;
}

process.exitCode = main();
