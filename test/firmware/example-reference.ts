// What tools/firmware/el_example.c should print: its stream (LINEAR, 3 features, 3,000 readings,
// a NaN, a batch of 10, a prediction, a snapshot) learned by the Node wrapper, in the example's
// JSON form. Shared by the header test and the small-RAM build's firmware test.
import assert from "node:assert/strict";
import { Learner, Kind, Param, compileLearner, batchOutputs } from "../../host/learner/index.js";
import { readBlobHeader } from "../../host/learner/inspect.js";

export interface ExampleFacts {
  prediction: string;
  target: string;
  bytes: number;
  crc: string;
}

const bits = (f: number) => `0x${new Uint32Array(new Float32Array([f]).buffer)[0].toString(16).padStart(8, "0")}`;
const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

/** The example's stream learned by the Node wrapper on the module at `wasm` (default: build/learner.wasm). */
export function nodeReference(wasm?: string): ExampleFacts {
  const NF = 3;
  const w = [0.7, -0.5, 0.7];
  const reading = (i: number, x: Float32Array): number => {
    let y = 1;
    for (let j = 0; j < NF; j++) {
      const v = ((i * (j + 3) * 7919) % 1000) / 100 + j;
      x[j] = v;
      y += w[j] * v;
    }
    return Math.fround(y);
  };
  const l = new Learner(compileLearner(wasm)).create(Kind.Linear, NF);
  l.setParam(Param.LearningRate, 0.3);
  assert.ok(l.raw.set_param(Param.LearningRate, -1) < 0);
  for (let i = 0; i < 3000; i++) l.learn(reading(i, l.input));
  l.input[0] = NaN;
  l.raw.learn_one(1);
  const rows = new Float32Array(10 * (NF + 1));
  for (let i = 0; i < 10; i++) rows[i * (NF + 1) + NF] = reading(3000 + i, rows.subarray(i * (NF + 1)));
  l.learnBatch(rows, batchOutputs(10));
  const x = new Float32Array(NF);
  const target = reading(99999, x);
  l.predict(x);
  const blob = l.snapshot();
  return { prediction: bits(l.prediction), target: bits(target), bytes: blob.length, crc: hex(readBlobHeader(blob)!.crcStored) };
}

/** The same facts from the example's JSON line. */
export function exampleFacts(line: Record<string, unknown>): ExampleFacts {
  return { prediction: line.prediction as string, target: line.target as string, bytes: line.state_bytes as number, crc: line.state_crc as string };
}
