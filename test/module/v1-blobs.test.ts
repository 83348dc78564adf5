// Real state blobs of ABI version 1 (test/fixtures/v1-blobs, saved from the version-1 release
// module) load into the current module, and the loaded model predicts exactly what the
// version-1 module predicted from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DEFAULT_WASM } from "../../host/learner/index.js";

const DIR = "test/fixtures/v1-blobs";
interface Probe { x: string; flags: number; output: string }
interface Blob { name: string; file: string; kind: number; n_features: number; length: number; probes: Probe[] }
const index = JSON.parse(readFileSync(`${DIR}/index.json`, "utf8")) as { blobs: Blob[] };
const module = new WebAssembly.Module(readFileSync(DEFAULT_WASM));

interface Exports {
  memory: WebAssembly.Memory;
  io_ptr(): number; io_cap(): number; input_ptr(): number; output_ptr(): number;
  load(len: number): number; kind(): number; n_features(): number; predict_one(): number;
}

for (const b of index.blobs) {
  test(`v1 blob ${b.name} (kind ${b.kind}) loads and predicts as version 1 did`, () => {
    const e = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    const blob = new Uint8Array(readFileSync(`${DIR}/${b.file}`));
    assert.equal(blob.length, b.length);
    new Uint8Array(e.memory.buffer).set(blob, e.io_ptr());
    assert.equal(e.load(blob.length), 0);
    assert.equal(e.kind(), b.kind);
    assert.equal(e.n_features(), b.n_features);
    for (const p of b.probes) {
      new Uint8Array(e.memory.buffer).set(Buffer.from(p.x, "hex"), e.input_ptr());
      assert.equal(e.predict_one(), p.flags);
      const out = Buffer.from(new Uint8Array(e.memory.buffer, e.output_ptr(), 24)).toString("hex");
      assert.equal(out, p.output);
    }
  });
}
