// The demo's sensors: seeded streams from host/tools/sim published as Zigbee2MQTT-style flat JSON, with
// the faults real feeds have: drift, NaN/null values, malformed payloads, spikes, a stuck sensor,
// a dropout, a change of level. Deterministic for a given seed.

import { connect, type MqttClient } from "mqtt";
import { regressionDrift, sea, spikes, type Sample } from "../sim/index.js";
import type { Task } from "../../config/types.js";

export interface SimDevice {
  name: string;
  task: Task;
  features: string[];
  target?: string;
  /** What happens to this device, for the summary. */
  story: string;
  stream: Iterator<Sample>;
  /**
   * Faults: gets reading t as a flat object (features, target, ts) and may change it, replace it
   * with a raw payload string, or return undefined to publish nothing. Absent: published as is.
   */
  fault?: (t: number, o: Record<string, unknown>) => Record<string, unknown> | string | undefined;
}

const HUGE = 1e9;

/** A meter's one series for the forecaster: the demo's wave around 5 with spikes at 0.5 % of
 * readings (marked), and its level up by 4 from reading `shiftAt` on (not a spike: a change the
 * forecaster flags once and then learns). */
function* meterSeries(seed: number, shiftAt: number): Generator<Sample> {
  let t = 0;
  for (const s of spikes({ seed, n: HUGE, nFeatures: 1, rate: 0.005 })) {
    yield { x: [], y: 5 + s.x[0] + (t++ >= shiftAt ? 4 : 0), anomaly: s.anomaly };
  }
}

function flat(d: SimDevice, s: Sample, ts: number): Record<string, unknown> {
  const o: Record<string, unknown> = { ts };
  d.features.forEach((f, i) => (o[f] = +s.x[i].toFixed(4)));
  if (d.target) o[d.target] = +s.y.toFixed(4);
  return o;
}

/** The payload of reading t of a device, or undefined (a dropout). */
export function payloadOf(d: SimDevice, t: number, s: Sample, ts: number): string | undefined {
  const o = flat(d, s, ts);
  const p = d.fault ? d.fault(t, o) : o;
  return p === undefined || typeof p === "string" ? p : JSON.stringify(p);
}

/** The demo's devices. `anomaly`: include the anomaly-detection device (needs the HALFSPACE kind). */
export function demoDevices(seed: number, anomaly: boolean): SimDevice[] {
  let k = 0;
  let s = seed * 7919 + 17;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const regression = (name: string, features: string[], target: string, story: string, fault?: SimDevice["fault"], driftAt = [HUGE]): SimDevice => ({
    name,
    task: "regression",
    features,
    target,
    story,
    stream: regressionDrift({ seed: seed + ++k, n: HUGE, nFeatures: features.length, driftAt }),
    fault,
  });
  const devs: SimDevice[] = [
    // The function changes abruptly twice. At these points (early in the model's life) the model
    // re-learns it within a few dozen readings, so the drift detector mostly warns (its
    // background model learns) and seldom needs to raise a drift: the column may stay at 0.
    regression("line-1", ["voltage", "current", "temp"], "power", "clean; its function changes at readings 600 and 1800, the model re-adapts", undefined, [600, 1800]),
    regression("line-2", ["voltage", "current", "temp"], "power", "NaN/null values, strings, malformed JSON", (_t, o) => {
      const r = rnd();
      if (r < 0.03) return { ...o, current: null };
      if (r < 0.04) return { ...o, temp: "NaN" };
      if (r < 0.05) return JSON.stringify(o).slice(0, 12);
      return o;
    }),
    regression("pump-1", ["pressure", "flow", "rpm"], "power", "spikes on pressure", (t, o) => {
      if (t > 100 && rnd() < 0.02) o.pressure = (o.pressure as number) * 40 + 60;
      return o;
    }),
    regression("tank-1", ["level", "inflow", "outflow"], "pressure", "level sensor stuck from reading 300 to 450", (t, o) => {
      if (t >= 300 && t < 450) o.level = 0.4242;
      return o;
    }),
    regression("fan-1", ["speed", "vibration", "temp"], "current", "drops out from reading 200 to 400, then fields go missing", (t, o) => {
      if (t >= 200 && t < 400) return undefined;
      if (t >= 400 && rnd() < 0.03) delete o.vibration;
      return o;
    }),
    {
      name: "door-1",
      task: "classification",
      features: ["x0", "x1", "x2"],
      target: "open",
      story: "classification, label rule flips at reading 500",
      stream: sea({ seed: seed + ++k, n: HUGE, driftAt: [500, 1500], invertOdd: true, noise: 0.05 }),
    },
  ];
  if (anomaly) {
    devs.push({
      name: "room-1",
      task: "anomaly",
      features: ["temperature", "humidity", "co2"],
      story: "anomaly scores, spikes injected at 0.5 % of readings",
      stream: spikes({ seed: seed + ++k, n: HUGE, nFeatures: 3, rate: 0.005 }),
    });
  }
  devs.push({
    name: "meter-1",
    task: "forecast",
    features: [],
    target: "power",
    story: "forecast of its own series, spikes at 0.5 % of readings, level up by 4 at reading 1500",
    stream: meterSeries(seed + ++k, 1500),
  });
  return devs;
}

/** Publishes every device's next reading `rate` times per second until stopped. */
export class Simulator {
  private client: MqttClient;
  private timer: NodeJS.Timeout | undefined;
  private t = 0;
  published = 0;
  /** Injected anomalies published so far, per device. */
  readonly injected = new Map<string, number>();

  constructor(
    url: string,
    readonly devices: SimDevice[],
    private readonly rate: number,
    private readonly prefix = "sensors",
  ) {
    this.client = connect(url, { clientId: "edgelearn-demo-sim", protocolVersion: 4, reconnectPeriod: 500 });
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000 / this.rate);
  }

  private tick(): void {
    const ts = Date.now();
    for (const d of this.devices) {
      const sample = d.stream.next().value as Sample;
      const p = payloadOf(d, this.t, sample, ts);
      if (p === undefined) continue;
      this.client.publish(`${this.prefix}/${d.name}`, p, { qos: 1 });
      this.published++;
      if (sample.anomaly) this.injected.set(d.name, (this.injected.get(d.name) ?? 0) + 1);
    }
    this.t++;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((r) => this.client.end(false, {}, () => r()));
  }
}
