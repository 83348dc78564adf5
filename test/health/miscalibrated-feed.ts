// The guard tests' configuration, and one device's regression readings (y = 2a − b + 0.5 + noise,
// one per second unless told) with a sensor that can be miscalibrated (a read as 1.6a + 1.5): the
// guard tests' bad-data burst. Seeded, so the same stream goes through every run.
import { Prng } from "../../host/tools/sim/index.js";
import { loadConfig } from "../../host/config/load.js";

/** A regression model on a and b, checkpoints every 200 readings, a guard that judges after 100 and never confirms a change. */
export function burstConfig(store: "memory" | "sqlite") {
  return loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a", "b"] },
      store: { type: store, history: 4, checkpoint: { everyReadings: 200, everySeconds: 0 } },
      guard: { warmupReadings: 100, confirmReadings: 100_000, confirmSeconds: 0 },
    },
  });
}

/** The first reading's timestamp (ms). */
export const FEED_T0 = 1_700_000_000_000;

/** The payload of reading `i`, `bad` during the burst, stamped `stepMs` after reading i − 1 (default 1 s). */
export function miscalibratedFeed(seed = 7, stepMs = 1000): (i: number, bad: boolean) => Buffer {
  const r = new Prng(seed);
  return (i, bad) => {
    const a = r.normal();
    const b = r.normal();
    const y = 2 * a - b + 0.5 + r.normal(0, 0.05);
    return Buffer.from(JSON.stringify({ ts: FEED_T0 + i * stepMs, a: bad ? 1.6 * a + 1.5 : a, b, y }));
  };
}

/**
 * Sends reading i (miscalibrated when `bad`) to device m of the service `target()` answers, and
 * keeps the |error| of the prediction it published (`sent` collects what the service published).
 */
export function burstDriver(target: () => { handle(topic: string, payload: Buffer): unknown }, sent: { topic: string; payload: string }[]) {
  const reading = miscalibratedFeed();
  const errors: number[] = [];
  const send = (i: number, bad: boolean) => {
    target().handle("sensors/m", reading(i, bad));
    const p = JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/prediction").at(-1)!.payload);
    errors.push(Math.abs(p.error ?? 0));
  };
  return { send, errors };
}
