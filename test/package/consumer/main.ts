// A user's program against the installed package (test/package/package.test.ts type-checks it with
// strict settings, compiles it and runs it in an empty folder). It prints one JSON line of results.

import { Learner, Kind, Param, Flag, Count, ErrorCode, inspectBlob, batchOutputs, VERSIONS, ABI_VERSION, PACKAGE_VERSION } from "edgelearn";
import { parsePayload, extract, type Extracted } from "edgelearn/codecs";
import { startApp, startBroker, loadConfig, silentLogger, type RunningApp, type Service } from "edgelearn/service";
import { Learner as LearnerFromSubpath } from "edgelearn/learner";

const NF = 3;
const W = [1.5, -2, 0.5];

function row(i: number, x: Float32Array | number[]): number {
  let y = 0.25;
  for (let j = 0; j < NF; j++) {
    x[j] = Math.sin(i * (j + 1) * 0.37) * 4;
    y += W[j] * x[j];
  }
  return y;
}

// The learner: create, learn one, predict, learn a batch, snapshot, load, inspect.
const learner = new Learner().create(Kind.Linear, NF, { params: { [Param.LearningRate]: 0.3 } });
let learned = 0;
for (let i = 0; i < 3000; i++) {
  const flags: number = learner.learn(row(i, learner.input));
  if (flags & Flag.Learned) learned++;
}
const x: number[] = [];
const yTrue = row(10_001, x);
learner.predict(x);
const oneError = Math.abs(learner.prediction - yTrue);

const batch = new Float32Array(500 * (NF + 1));
for (let i = 0; i < 500; i++) {
  const r = batch.subarray(i * (NF + 1), (i + 1) * (NF + 1));
  r[NF] = row(20_000 + i, r);
}
const outs = batchOutputs(500);
learner.learnBatch(batch, outs);
const batchError = Math.abs(outs.error[499]);

const blob: Uint8Array = learner.snapshot();
const copy = new LearnerFromSubpath();
const loadCode: number = copy.load(blob);
const info = inspectBlob(blob);
const damaged = blob.slice();
damaged[damaged.length - 1] ^= 0xff;
const damagedInfo = inspectBlob(damaged);

// The codecs: a flat JSON payload into a learner's input view.
const parsed = parsePayload(new TextEncoder().encode(JSON.stringify({ a: 1, b: 2, c: 3, y: 4.5 })), "auto", 4096, Date.now());
const res: Extracted = { y: NaN, ts: 0 };
let codecY = NaN;
if (typeof parsed !== "string" && parsed.kind === "flat") {
  const why = extract(parsed.obj, { features: ["a", "b", "c"], target: "y", tsField: "ts" }, copy.input, res, Date.now());
  if (why === null) codecY = res.y;
}

// The service, embedded as `edgelearn run` runs it: a broker on a free loopback port, the HTTP
// server on a free port, readings handed in directly.
const broker = await startBroker(0);
const config = loadConfig({
  env: {},
  overrides: {
    mqtt: { url: broker.url, protocolVersion: 4 },
    model: { task: "regression", features: ["a", "b", "c"], target: "y" },
    store: { type: "memory" },
    http: { listen: "127.0.0.1:0" },
  },
});
const app: RunningApp = await startApp(config, { logger: silentLogger });
const service: Service = app.service;
let readingEvents = 0;
service.events.on("reading", (device: string, flags: number) => {
  if (device === "sensor-1" && flags >= 0) readingEvents++;
});
await service.ready;
for (let i = 0; i < 200; i++) {
  const v: number[] = [];
  const y = row(i, v);
  service.handle(`${config.topics.input}/sensor-1`, new TextEncoder().encode(JSON.stringify({ a: v[0], b: v[1], c: v[2], y })));
}
const serviceLearned = service.counters.learned;
const metricsText = app.http ? await (await fetch(`${app.http.url}metrics`)).text() : "";
const metricsReadings = Number(/^edgelearn_readings_total (\d+)$/m.exec(metricsText)?.[1]);
await app.stop();
await broker.close();

console.log(
  JSON.stringify({
    versions: VERSIONS,
    abi: ABI_VERSION,
    pkg: PACKAGE_VERSION,
    learned,
    readings: learner.count(Count.Readings),
    oneError,
    batchError,
    blobBytes: blob.length,
    loadCode,
    copyKind: copy.kind,
    inspectValid: info.valid,
    inspectKind: info.header?.kindName,
    inspectLearned: info.counts?.Learned,
    damagedError: damagedInfo.error === ErrorCode.Crc ? "crc" : String(damagedInfo.errorName),
    codecY,
    readingEvents,
    serviceLearned,
    metricsReadings,
  }),
);
