// Writes test/fixtures/abi2-blobs.json: state blobs written by a module of state-blob ABI
// version 2 (the module given, normally test/fixtures/learner-abi2.wasm), with predict_one's
// output on a probe reading. A later module must load them and predict the same. Run once, with
// the version-2 module, when the ABI version moved on:
//   node build/scripts/abi2-fixtures.js test/fixtures/learner-abi2.wasm

import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { DriftDetector, DriftResponse, Kind, Learner, Param, compileLearner } from "../host/learner/index.js";

interface Spec {
  name: string;
  kind: Kind;
  nFeatures: number;
  params?: Partial<Record<Param, number>>;
}

const SPECS: Spec[] = [
  { name: "SURPRISE, 1 feature", kind: Kind.Surprise, nFeatures: 1 },
  { name: "SURPRISE, 3 features", kind: Kind.Surprise, nFeatures: 3 },
  {
    name: "SURPRISE, 2 features, Page-Hinkley + background",
    kind: Kind.Surprise,
    nFeatures: 2,
    params: { [Param.DriftDetector]: DriftDetector.PageHinkley, [Param.DriftResponse]: DriftResponse.Background, [Param.PhLambda]: 2, [Param.PhDelta]: 0.001 },
  },
  { name: "LINEAR, 3 features", kind: Kind.Linear, nFeatures: 3 },
];

const path = process.argv[2];
if (!path) throw new Error("usage: abi2-fixtures.js <learner.wasm of ABI version 2>");
const module = compileLearner(path);
let s = 11;
const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;

const blobs = SPECS.map((spec) => {
  const l = new Learner(module).create(spec.kind, spec.nFeatures, { params: spec.params });
  if (l.raw.abi_version() !== 2) throw new Error(`${path} is not a module of ABI version 2`);
  // smooth waves with noise, a spike now and then, a level change at 400
  const reading = (i: number): number[] =>
    Array.from({ length: spec.nFeatures }, (_, j) => 10 * (j + 1) + Math.sin(i / (17 + 5 * j)) + 0.05 * (rnd() - 0.5) + (i % 97 === 50 ? 4 : 0) + (i >= 400 ? 2 : 0));
  for (let i = 0; i < 600; i++) {
    const x = reading(i);
    l.learn(spec.kind === Kind.Linear ? x.reduce((a, v) => a + v, 0) * 0.3 + rnd() : Number.NaN, x);
  }
  const probe = reading(600).map((v) => Math.fround(v));
  l.predict(probe);
  const o = l.output();
  return { name: spec.name, kind: spec.kind, nFeatures: spec.nFeatures, blob: Buffer.from(l.snapshot()).toString("hex"), probe, prediction: o.prediction, score: o.score, flags: o.flags };
});

const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
const about = `State blobs written by a module of state-blob ABI version 2 (learner.wasm sha256 ${sha.slice(0, 16)}…, test/fixtures/learner-abi2.wasm) after 600 readings each, with predict_one's output on a probe reading. A later module must load them and predict the same.`;
writeFileSync("test/fixtures/abi2-blobs.json", JSON.stringify({ about, blobs }, (_, v) => (typeof v === "number" && Number.isNaN(v) ? null : v), 1) + "\n");
console.log(`wrote test/fixtures/abi2-blobs.json: ${blobs.length} blobs`);
