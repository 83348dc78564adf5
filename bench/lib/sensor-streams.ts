// Shapes real IoT sensors produce, as seeded one-value streams for the sensors bench: quantized
// readings, values that are legitimately constant for long periods, the failure sentinels of
// common sensors, day/night cycles at one reading a minute, irregular rates and gaps.
//
// Each stream gives, per reading, the value the sensor reports and the value it measures (the
// truth a supervised target is computed from, so a sentinel never reaches the target), whether
// the reading is a failure, and where a real change of level starts (the model should adapt).

import { Prng } from "../../host/tools/sim/prng.js";

export interface SensorStream {
  name: string;
  /** What the sensor reports (may be NaN or a sentinel). */
  value: Float64Array;
  /** What it measures: the truth the supervised targets follow. */
  truth: Float64Array;
  /** 1 where the reading is a sensor failure (sentinel, frozen, missing). */
  fault: Uint8Array;
  /** Index of the first reading of a real change (a new normal), or -1. */
  change: number;
  /** Index of the first failure reading, or -1. */
  faultStart: number;
}

const DAY = 1440; // readings a day at one a minute

const quantize = (v: number, q: number): number => Math.round(v / q) * q;

/** Room temperature: a day cycle of ±2 °C, a weekly swing, noise and a slow random walk. */
function roomTemperature(r: Prng, i: number, walk: { v: number }, perDay = DAY): number {
  walk.v += r.normal(0, 0.002);
  walk.v *= 0.9999;
  const day = (2 * Math.PI * i) / perDay;
  const week = (2 * Math.PI * i) / (7 * perDay);
  return 21 + 2 * Math.sin(day) + 0.5 * Math.sin(week) + walk.v + r.normal(0, 0.05);
}

function make(name: string, n: number): SensorStream {
  return {
    name,
    value: new Float64Array(n),
    truth: new Float64Array(n),
    fault: new Uint8Array(n),
    change: -1,
    faultStart: -1,
  };
}

/** A stream whose reported value is what it measures: value(r, i) for reading i. */
function series(name: string, n: number, seed: number, value: (r: Prng, i: number) => number): SensorStream {
  const s = make(name, n);
  const r = new Prng(seed);
  for (let i = 0; i < n; i++) s.truth[i] = s.value[i] = value(r, i);
  return s;
}

/** A room temperature reported in steps of q °C (0.0625 is a DS18B20 at 12 bits). */
export function quantizedTemperature(n: number, q: number, seed: number): SensorStream {
  const walk = { v: 0 };
  return series(`temperature, ${q} °C steps`, n, seed, (r, i) => quantize(roomTemperature(r, i, walk), q));
}

/** Integer ADC counts: 512 ± a day cycle of 3 counts and 0.7 counts of noise. */
export function adcCounts(n: number, seed: number): SensorStream {
  return series("ADC counts (integers)", n, seed, (r, i) => Math.round(512 + 3 * Math.sin((2 * Math.PI * i) / DAY) + r.normal(0, 0.7)));
}

/** Relative humidity in 1 % steps: 45 % ± 10 % over the day. */
export function humidity(n: number, seed: number): SensorStream {
  return series("humidity, 1 % steps", n, seed, (r, i) => Math.round(45 + 10 * Math.sin((2 * Math.PI * i) / DAY + 1) + r.normal(0, 0.3)));
}

/** A slow value read once a second in 0.1 steps: each value repeats for hundreds of readings. */
export function slowQuantized(n: number, seed: number): SensorStream {
  const perDay = 86400;
  return series("slow drift, 0.1 steps, 1 reading/s", n, seed, (r, i) => quantize(20 + 2 * Math.sin((2 * Math.PI * i) / perDay) + r.normal(0, 0.002), 0.1));
}

/** A door contact: closed (0), opened a few times a day for 1-3 minutes, closed all weekend. */
export function doorContact(n: number, seed: number): SensorStream {
  let open = 0;
  return series("door contact 0/1", n, seed, (r, i) => {
    const day = Math.floor(i / DAY) % 7;
    const hour = (i % DAY) / 60;
    if (open > 0) open--;
    else if (day < 5 && hour > 7 && hour < 19 && r.chance(10 / 720)) open = 1 + r.int(3);
    return open > 0 ? 1 : 0;
  });
}

/** A valve or relay: on/off, each state held 1-6 hours. */
export function relayState(n: number, seed: number): SensorStream {
  let left = 0;
  let state = 0;
  return series("relay state 0/1, 1-6 h runs", n, seed, (r) => {
    if (left-- <= 0) {
      state = 1 - state;
      left = 60 + r.int(300);
    }
    return state;
  });
}

/** A setpoint that changes once a day (19-23 °C). */
export function dailySetpoint(n: number, seed: number): SensorStream {
  let v = 21;
  return series("setpoint, changes once a day", n, seed, (r, i) => (i % DAY === 0 ? (v = 19 + r.int(5)) : v));
}

/** A power meter: 150-250 W during the day, exactly 0 W from 22:00 to 07:00. */
export function powerMeter(n: number, seed: number): SensorStream {
  return series("power meter, 0 W overnight", n, seed, (r, i) => {
    const hour = (i % DAY) / 60;
    return hour >= 7 && hour < 22 ? Math.round(200 + 30 * Math.sin((2 * Math.PI * i) / DAY) + r.normal(0, 10)) : 0;
  });
}

/** A DS18B20 (0.0625 °C) whose value is replaced by `sentinel` from `at` for `len` readings
 * (len 1 every `every` readings when every > 0: power-on resets). */
export function sentinel(n: number, seed: number, label: string, value: number, at: number, len: number, every = 0): SensorStream {
  const s = quantizedTemperature(n, 0.0625, seed);
  s.name = label;
  for (let i = 0; i < n; i++) {
    const hit = every > 0 ? i >= at && (i - at) % every === 0 : i >= at && i < at + len;
    if (!hit) continue;
    s.value[i] = value;
    s.fault[i] = 1;
    if (s.faultStart < 0) s.faultStart = i;
  }
  return s;
}

/** A DS18B20 whose value freezes at its last reading from `at` for `len` readings. */
export function frozen(n: number, seed: number, at: number, len: number): SensorStream {
  const s = quantizedTemperature(n, 0.0625, seed);
  s.name = "frozen at its last value";
  for (let i = at; i < Math.min(n, at + len); i++) {
    s.value[i] = s.value[at - 1];
    s.fault[i] = 1;
  }
  s.faultStart = at;
  return s;
}

/** A DS18B20 that misses 1 % of its readings (NaN). */
export function missing(n: number, seed: number): SensorStream {
  const s = quantizedTemperature(n, 0.0625, seed);
  s.name = "NaN on 1 % of readings";
  const r = new Prng(seed + 99);
  for (let i = 0; i < n; i++) {
    if (!r.chance(0.01)) continue;
    s.value[i] = NaN;
    s.fault[i] = 1;
    if (s.faultStart < 0) s.faultStart = i;
  }
  return s;
}

/** A real change: the room runs 5 °C warmer from `at` on (a new normal to adapt to). */
export function levelShift(n: number, seed: number, at: number): SensorStream {
  const s = quantizedTemperature(n, 0.1, seed);
  s.name = "level shift +5 °C (a real change)";
  for (let i = at; i < n; i++) s.truth[i] = s.value[i] = s.value[i] + 5;
  s.change = at;
  return s;
}

/** Readings at irregular times (exponential gaps, mean 1 min) with an outage of 6 h a day:
 * the value moves on across each gap. */
export function irregular(n: number, seed: number): SensorStream {
  const walk = { v: 0 };
  let t = 0;
  return series("irregular rate, 6-hour gap daily", n, seed, (r) => {
    t += -Math.log(1 - r.uniform());
    if (t % DAY > DAY - 360) t += 360;
    return quantize(roomTemperature(r, t, walk), 0.1);
  });
}

/** Stationary Gaussian noise N(20, 1), for long runs. */
export function stationary(n: number, seed: number): SensorStream {
  return series("stationary noise N(20, 1)", n, seed, (r) => r.normal(20, 1));
}
