// wasm3 and WAMR built for this machine (x86-64), for the README's C host samples: from the same
// sources the conformance suite uses (wasm3 from the pywasm3 sdist, WAMR as the wamrx crate builds
// it), with the compiled objects kept under build/ so that only the first run compiles them.
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { ROOT } from "../conformance/paths.js";
import { PYTHON, WAMR_BUILD, WASM3_SRC, must, sh, wasm3Sources } from "../conformance/runners.js";
import { findBinary } from "../helpers/require.js";

/** What a C program needs to link against a runtime: include directory, objects or libraries, system libraries. */
export interface CRuntime {
  include: string;
  link: string[];
}

const GCC = "gcc (apt-get install -y gcc libc6-dev)";

/** What is missing to build the wasm3 sample, or undefined: gcc, and pip when the sources are not there yet. */
export function wasm3Missing(): string | undefined {
  if (!findBinary("gcc")) return GCC;
  if (existsSync(join(WASM3_SRC, "wasm3.h")) || sh(PYTHON, ["-m", "pip", "--version"]).status === 0) return undefined;
  return `the wasm3 source tree ${WASM3_SRC} (fetched with pip, as .ci/run does)`;
}

/** As the wasm3 sample's compile line says: optimized, no other option. */
const WASM3_CFLAGS = ["-O2"];

/** wasm3's m3_*.c compiled once into build/embedding/wasm3-<flags>/ (again only when a source is newer). */
export function wasm3Runtime(): CRuntime {
  const src = wasm3Sources();
  const tag = createHash("sha1").update(WASM3_CFLAGS.join(" ")).digest("hex").slice(0, 8);
  const objDir = join(ROOT, "build/embedding", `wasm3-${tag}`);
  mkdirSync(objDir, { recursive: true });
  const objects = readdirSync(src)
    .filter((f) => /^m3_.*\.c$/.test(f))
    .map((f) => {
      const c = join(src, f);
      const o = join(objDir, f.replace(/\.c$/, ".o"));
      if (!existsSync(o) || statSync(o).mtimeMs < statSync(c).mtimeMs) must(sh("gcc", [...WASM3_CFLAGS, `-I${src}`, "-c", c, "-o", o]), `gcc ${f}`);
      return o;
    });
  return { include: src, link: [...objects, "-lm"] };
}

/** What is missing to build the WAMR sample, or undefined. */
export function wamrMissing(): string | undefined {
  if (!findBinary("gcc")) return GCC;
  // cargo builds WAMR's library (the wamrx crate, with cmake and libclang) and says where it is
  return findBinary("cargo") ? undefined : "cargo (rustup, or apt-get install -y cargo cmake libclang-dev)";
}

/**
 * WAMR's static library (libiwasm.a, its fast interpreter) as the conformance suite's WAMR runner
 * builds it through the wamrx crate; cargo says where the crate's sources and the library are
 * (a no-op build when the runner is up to date).
 */
export function wamrRuntime(): CRuntime {
  const r = must(sh("cargo", [...WAMR_BUILD, "--message-format=json"]), "cargo build (WAMR runner)");
  let include: string | undefined;
  let lib: string | undefined;
  for (const line of r.stdout.split("\n")) {
    if (!line.includes("wamrx-sys")) continue;
    const m = JSON.parse(line) as { reason: string; manifest_path?: string; out_dir?: string };
    if (m.reason === "compiler-artifact" && m.manifest_path) include = join(dirname(m.manifest_path), "wasm-micro-runtime/core/iwasm/include");
    if (m.reason === "build-script-executed" && m.out_dir) lib = join(m.out_dir, "build/libiwasm.a");
  }
  if (!include || !existsSync(join(include, "wasm_export.h"))) throw new Error(`cargo did not name WAMR's headers (wamrx-sys): ${include}`);
  if (!lib || !existsSync(lib)) throw new Error(`cargo did not name WAMR's library (wamrx-sys): ${lib}`);
  return { include, link: [lib, "-lm", "-lpthread"] };
}
