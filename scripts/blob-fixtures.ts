// Writes test/fixtures/abi<V>-blobs.json: state blobs written by a module of state-blob ABI
// version V (the module given, kept as test/fixtures/learner-abi<V>.wasm), with predict_one's
// output on a probe reading. A later module must load them and predict the same. Run once, with
// the older module, when the ABI version moves on:
//   node build/scripts/blob-fixtures.js test/fixtures/learner-abi3.wasm 3
// Version 2's specs are the four it was written with (SURPRISE and LINEAR); from version 3 on,
// every kind at its defaults is kept, and the drift detector with a background model; from
// version 4 on, also AR with exogenous inputs.

import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { DriftDetector, DriftResponse, Kind, Learner, Param, compileLearner } from "../host/learner/index.js";

interface Spec {
  name: string;
  kind: Kind;
  nFeatures: number;
  params?: Partial<Record<Param, number>>;
}

const V2_SPECS: Spec[] = [
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

const LATER_SPECS: Spec[] = [
  ...V2_SPECS,
  { name: "LINEAR, 16 features", kind: Kind.Linear, nFeatures: 16 },
  { name: "LOGISTIC, 4 features", kind: Kind.Logistic, nFeatures: 4 },
  { name: "HALFSPACE, 2 features", kind: Kind.HalfSpace, nFeatures: 2 },
  { name: "AR, a series", kind: Kind.AR, nFeatures: 0 },
  { name: "KMEANS, 3 features", kind: Kind.KMeans, nFeatures: 3 },
  { name: "MEAN, 1 feature", kind: Kind.Mean, nFeatures: 1 },
];

/** From version 4 on, also a forecaster with exogenous inputs and a shorter order (a covariance
 * of another size, written in version 5 as its upper triangle). */
const V4_SPECS: Spec[] = [
  ...LATER_SPECS,
  { name: "AR, order 4, 2 exogenous features", kind: Kind.AR, nFeatures: 2, params: { [Param.ArOrder]: 4, [Param.ArExog]: 1 } },
];

const [path, v] = process.argv.slice(2);
const version = Number(v);
if (!path || !Number.isInteger(version) || version < 2) throw new Error("usage: blob-fixtures.js <learner.wasm> <its ABI version, 2 or later>");
const module = compileLearner(path);
let s = 11;
const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;

/** The target of reading x for kind: a noisy sum for regression, a class for LOGISTIC, the
 * first value for AR, none for the unsupervised kinds. */
function target(kind: Kind, x: number[], i: number): number {
  if (kind === Kind.Linear || kind === Kind.Mean) return x.reduce((a, v) => a + v, 0) * 0.3 + rnd();
  if (kind === Kind.Logistic) return x[0] + 0.5 * (rnd() - 0.5) > 10 ? 1 : 0;
  if (kind === Kind.AR) return 10 + Math.sin(i / 17) + 0.05 * (rnd() - 0.5) + (i >= 400 ? 2 : 0);
  return Number.NaN;
}

const blobs = (version === 2 ? V2_SPECS : version === 3 ? LATER_SPECS : V4_SPECS).map((spec) => {
  const l = new Learner(module).create(spec.kind, spec.nFeatures, { params: spec.params });
  if (l.raw.abi_version() !== version) throw new Error(`${path} is not a module of ABI version ${version}`);
  // smooth waves with noise, a spike now and then, a level change at 400
  const reading = (i: number): number[] =>
    Array.from({ length: spec.nFeatures }, (_, j) => 10 * (j + 1) + Math.sin(i / (17 + 5 * j)) + 0.05 * (rnd() - 0.5) + (i % 97 === 50 ? 4 : 0) + (i >= 400 ? 2 : 0));
  for (let i = 0; i < 600; i++) {
    const x = reading(i);
    l.learn(target(spec.kind, x, i), x);
  }
  const probe = reading(600).map((v) => Math.fround(v));
  l.predict(probe);
  const o = l.output();
  return { name: spec.name, kind: spec.kind, nFeatures: spec.nFeatures, blob: Buffer.from(l.snapshot()).toString("hex"), probe, prediction: o.prediction, score: o.score, flags: o.flags };
});

const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
const out = `test/fixtures/abi${version}-blobs.json`;
const about = `State blobs written by a module of state-blob ABI version ${version} (learner.wasm sha256 ${sha.slice(0, 16)}…, test/fixtures/learner-abi${version}.wasm) after 600 readings each, with predict_one's output on a probe reading. A later module must load them and predict the same.`;
writeFileSync(out, JSON.stringify({ about, blobs }, (_, v) => (typeof v === "number" && Number.isNaN(v) ? null : v), 1) + "\n");
console.log(`wrote ${out}: ${blobs.length} blobs`);
