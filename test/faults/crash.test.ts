// Fault (a): SIGKILL the real `edgelearn run` at seeded random moments during a QoS 1 stream.
// Every restart must find a valid state for every device (nothing skipped, nothing damaged),
// learning must resume, and no more than one checkpoint interval of learning may be lost.
// scripts/crash-soak.ts runs the same trials 200+ times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { requireMosquitto } from "../helpers/mosquitto.js";
import { runCrashTrials } from "./crash-harness.js";

test("crash: 20 SIGKILLs during a stream lose at most one checkpoint interval, never corrupt a state", { timeout: 300_000 }, async (t) => {
  if (!requireMosquitto(t)) return;
  const r = await runCrashTrials({ trials: 20, seed: 20261126, everyReadings: 50 });
  console.log(`crash trials: ${r.trials.length}, largest learning loss ${r.maxLoss} readings (bound ${r.everyReadings})`);
  const worst = r.trials.reduce((a, b) => (b.loss > a.loss ? b : a), r.trials[0]);
  assert.deepEqual(r.failures, [], `${r.failures.join("\n")}\nworst trial: ${JSON.stringify(worst)}\n--- last host log ---\n${r.hostLog.slice(-3000)}`);
  assert.equal(r.trials.length, 20);
  assert.ok(r.maxLoss <= r.everyReadings);
});
