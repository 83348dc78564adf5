// Where the conformance suite finds things, relative to the repository root (this file compiles
// to build/test/conformance/paths.js, three levels below it).
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

export const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
/** The module under test; EDGELEARN_WASM overrides it (used to prove runners on a stand-in). */
export const WASM_PATH = process.env.EDGELEARN_WASM ? resolve(process.env.EDGELEARN_WASM) : join(ROOT, "build/learner.wasm");
export const VECTORS_DIR = process.env.EDGELEARN_VECTORS ? resolve(process.env.EDGELEARN_VECTORS) : join(ROOT, "test/conformance/vectors");
export const CONFORMANCE_DIR = join(ROOT, "test/conformance");
export const TOOLS_DIR = join(ROOT, "tools");
/** Scratch space for generated sources, compiled runners and images (never committed). */
export const WORK_DIR = join(ROOT, "build/conformance");
