// The guard confirms a lasting change by reading time, the readings' own timestamps, not by the
// host's clock: readings stamped an hour apart confirm after `confirmSeconds` of them however fast
// they arrive (a replay of old data, a test), and a restart's downtime does not count (the guard's
// state, kept with the checkpoint, goes on from the last reading's time). Before, the guard was
// fed the host's clock: the hourly readings never confirmed within the run, and after a long
// downtime a change on probation was confirmed at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IClientPublishOptions } from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";
import { FEED_T0, miscalibratedFeed } from "./miscalibrated-feed.js";

const HOUR = 3600_000;
const CONFIRM_HOURS = 500;
/** The sensor is miscalibrated from this reading on, for good: a change that lasts. */
const CHANGE_AT = 1000;

const config = loadConfig({
  env: {},
  overrides: {
    model: { task: "regression", target: "y", features: ["a", "b"] },
    store: { type: "memory", history: 4, checkpoint: { everyReadings: 200, everySeconds: 0 } },
    // Reading time is what holds confirmation back: 100 readings are an hour apart each.
    guard: { warmupReadings: 100, confirmReadings: 100, confirmSeconds: CONFIRM_HOURS * 3600 },
  },
});

/**
 * Device m's hourly readings, from `from` to `to`, stamped `stamp(i)`, into a service on `store`
 * (stopped at the end) whose host clock is the real one, or with `clockFollows` the time of the
 * reading in hand. Answers the guard's state after each reading.
 */
async function run(store: MemoryStore, from: number, to: number, stamp: (i: number) => number, clockFollows = false) {
  let clock = stamp(from);
  const now = clockFollows ? () => clock : undefined;
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer, _o: IClientPublishOptions) => void sent.push({ topic, payload: String(payload) }) };
  const service = startService(config, { connect: false, publisher, logger: memoryLogger("info").logger, store, ...(now ? { now } : {}) });
  const reading = miscalibratedFeed(7, HOUR);
  const states: { i: number; state: string; confirmed: number }[] = [];
  for (let i = 0; i < to; i++) {
    const payload = reading(i, i >= CHANGE_AT); // the same stream whatever the range, for its seeded values
    if (i < from) continue;
    const p = JSON.parse(String(payload));
    clock = stamp(i);
    service.handle("sensors/m", Buffer.from(JSON.stringify({ ...p, ts: clock })));
    service.publishHealth(true);
    const h = JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/health").at(-1)!.payload);
    states.push({ i, state: h.guard.state, confirmed: h.guard.confirmed_drifts });
  }
  await service.stop();
  return states;
}

const hourly = (i: number) => FEED_T0 + i * HOUR;
/** The first reading of the last probation, and the reading that confirmed it. */
function probationAndConfirmation(states: { i: number; state: string; confirmed: number }[]) {
  const confirmedAt = states.find((s) => s.confirmed > 0)?.i;
  const before = states.filter((s) => confirmedAt === undefined || s.i < confirmedAt);
  let start: number | undefined;
  for (let k = before.length - 1; k >= 0 && before[k].state === "probation"; k--) start = before[k].i;
  return { start, confirmedAt };
}

test("readings stamped an hour apart confirm a lasting change after confirmSeconds of their time, though they arrive in ms", async () => {
  const states = await run(new MemoryStore({ history: 4 }), 0, CHANGE_AT + 1000, hourly);
  const { start, confirmedAt } = probationAndConfirmation(states);
  assert.ok(start !== undefined && start > CHANGE_AT, `the change was put on probation: ${JSON.stringify(states.filter((s) => s.i > CHANGE_AT).slice(0, 3))}`);
  assert.ok(confirmedAt !== undefined, "the change was confirmed");
  assert.equal(confirmedAt - start, CONFIRM_HOURS, "confirmed by the reading that completes confirmSeconds of reading time on probation");
  assert.equal(states.at(-1)!.state, "healthy");
});

test("a restart's downtime is not reading time: a change on probation is not confirmed by it", async () => {
  const store = new MemoryStore({ history: 4 });
  const restartAt = CHANGE_AT + 100;
  // The host clock follows the readings while the service runs; the service is down for 2000
  // hours, and the readings the device sent in that time were lost (the next one is stamped after it).
  const downtime = 2000 * HOUR;
  const first = await run(store, 0, restartAt, hourly, true);
  const { start } = probationAndConfirmation(first);
  assert.ok(start !== undefined && first.at(-1)!.state === "probation", "on probation when the service stops");
  const later = (i: number) => hourly(i) + downtime;
  const second = await run(store, restartAt, CHANGE_AT + 1000, later, true);
  assert.equal(second[0].state, "probation", "resumed on probation");
  const confirmedAt = second.find((s) => s.confirmed > 0)?.i;
  assert.ok(confirmedAt !== undefined, "the change was confirmed in the end");
  // Reading time on probation: the hours before the stop, one gap across the downtime counted as a
  // tenth of confirmSeconds at most, then an hour a reading.
  const heldBefore = restartAt - 1 - start;
  assert.equal(confirmedAt - restartAt, CONFIRM_HOURS - heldBefore - CONFIRM_HOURS / 10);
});
