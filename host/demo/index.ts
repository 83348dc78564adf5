// `edgelearn demo` (what `npm start` runs): an in-process broker, simulated sensors with drift and
// faults, the service, and a live summary. Nothing is written to disk (memory store).

import { connect } from "mqtt";
import { loadConfig, ConfigError } from "../config/load.js";
import { createLogger } from "../logger.js";
import { Learner, Kind } from "../learner/index.js";
import { randomBytes } from "node:crypto";
import { startWithFrontends } from "../app/start.js";
import { portOrFree } from "./port.js";
import type { Service } from "../service/service.js";
import { EXIT, UsageError, parse, checkModule, type Io } from "../cli/common.js";
import { waitForSignal } from "../cli/run.js";
import { startBroker, type EmbeddedBroker } from "./broker.js";
import { demoDevices, Simulator, type SimDevice } from "./simulator.js";

export const DEMO_HELP = `Usage: edgelearn demo [--duration S] [--rate N] [--port P] [--http-port P] [--seed N] [--quiet] [--verbose]

Starts an MQTT broker (aedes, MQTT 3.1.1) on localhost, simulated sensors publishing
readings with drift and faults (null/NaN values, malformed JSON, spikes, a stuck sensor,
a dropout), and the edgelearn service; shows a live summary per device. Runs until Ctrl-C
or --duration. Watch the topics yourself with, e.g.:
  mosquitto_sub -h localhost -p 1883 -t 'edgelearn/#' -v

Options:
  --duration S   stop after S seconds (default: until Ctrl-C)
  --rate N       readings per second per device (default 50)
  --port P       broker port (default 1883, or a free port if 1883 is taken)
  --http-port P  dashboard and metrics port (default 9464, or a free port if taken);
                 the dashboard URL printed at start carries a one-time token that
                 enables the reset/rollback/snapshot buttons
  --seed N       simulator seed (default 1)
  --quiet        no live summary, only the final one
  --verbose      service logs at info level (default: errors only)
  -h, --help     this text

Exit codes: 0 done, 1 runtime failure, 2 bad usage, 3 learner module missing.
`;

function positiveNumber(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, got ${JSON.stringify(v)}`);
  return n;
}

async function brokerOn(port: number | undefined): Promise<EmbeddedBroker> {
  if (port !== undefined) return startBroker(port);
  try {
    return await startBroker(1883);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" && (e as NodeJS.ErrnoException).code !== "EACCES") throw e;
    return startBroker(0);
  }
}

function supports(kind: Kind): boolean {
  try {
    new Learner().create(kind, 3);
    return true;
  } catch {
    return false;
  }
}

interface Watch {
  predictions: Map<string, number>;
  last: Map<string, string>;
  drifts: Map<string, number>;
}

export function summaryTable(service: Service, devices: SimDevice[], watch: Watch, seconds: number): string {
  const rows: string[][] = [["device", "task", "readings", "learned", "rejected", "drifts", "metric", "last prediction", "what happens"]];
  for (const d of devices) {
    const r = service.deviceHealth(d.name);
    const h = r.ok ? (r.value as Record<string, any>) : undefined;
    if (!h) {
      rows.push([d.name, d.task, "0", "0", "", "0", "", "", d.story]);
      continue;
    }
    const rej = Object.entries(h.rejected as Record<string, number>).map(([k, v]) => `${k}:${v}`).join(" ");
    const m = h.metrics as Record<string, number>;
    const metric =
      m.accuracy !== undefined ? `acc ${m.accuracy.toFixed(3)}` : m.mae_ew !== undefined ? `mae(ew) ${m.mae_ew.toPrecision(3)}` : "";
    rows.push([d.name, d.task, String(h.readings), String(h.learned), rej, String(watch.drifts.get(d.name) ?? 0), metric, watch.last.get(d.name) ?? "", d.story]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const hh = service.hostHealth() as Record<string, any>;
  const received = [...watch.predictions.values()].reduce((a, b) => a + b, 0);
  lines.push("");
  lines.push(
    `${seconds.toFixed(0)} s  readings ${hh.readings}  learned ${hh.learned}  predictions received ${received}  devices ${hh.devices} (hot ${hh.hot})  dropped ${hh.dropped_predictions}`,
  );
  return lines.join("\n") + "\n";
}

export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse("demo", argv, {
    duration: { type: "string" },
    rate: { type: "string" },
    port: { type: "string" },
    "http-port": { type: "string" },
    seed: { type: "string" },
    quiet: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(DEMO_HELP);
    return EXIT.OK;
  }
  const duration = values.duration === undefined ? undefined : positiveNumber("duration", values.duration, 0);
  const rate = positiveNumber("rate", values.rate, 50) || 50;
  const port = values.port === undefined ? undefined : positiveNumber("port", values.port, 0);
  const httpPort = values["http-port"] === undefined ? undefined : positiveNumber("http-port", values["http-port"], 0);
  const seed = positiveNumber("seed", values.seed, 1);
  if (!checkModule(io)) return EXIT.NO_MODULE;

  const devices = demoDevices(seed, supports(Kind.HalfSpace));
  const token = randomBytes(16).toString("hex");
  const broker = await brokerOn(port);
  let config;
  try {
    config = loadConfig({
      overrides: {
        mqtt: { url: broker.url, protocolVersion: 4, clientId: "edgelearn-demo", reconnect: { minDelayMs: 100, maxDelayMs: 2000 } },
        output: { healthIntervalSeconds: 1 },
        devices: devices.map((d) => ({ match: d.name, task: d.task, features: d.features, ...(d.target ? { target: d.target } : {}) })),
        model: { task: "regression", target: "power" },
        store: { type: "memory" },
        // Loopback only; a fresh token each run, handed to the page in the URL's fragment
        // (never sent to the server, never in a log), so the buttons work from that link only.
        http: { listen: `127.0.0.1:${httpPort ?? (await portOrFree(9464))}`, token, commands: true },
        log: { level: values.verbose ? "info" : "error" },
      },
    });
  } catch (e) {
    await broker.close();
    if (e instanceof ConfigError) {
      io.err(`edgelearn: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  const logger = createLogger("edgelearn", { level: config.log.level });
  let running: Awaited<ReturnType<typeof startWithFrontends>>;
  try {
    running = await startWithFrontends(config, { logger });
    await running.service.ready;
  } catch (e) {
    // The embedded broker keeps the process alive: close it, or a failed start hangs forever.
    await broker.close();
    throw e;
  }
  const service = running.service;

  const watch: Watch = { predictions: new Map(), last: new Map(), drifts: new Map() };
  const watcher = connect(broker.url, { clientId: "edgelearn-demo-watch", protocolVersion: 4 });
  watcher.on("message", (topic, payload) => {
    const [, dev, kind] = topic.split("/");
    if (kind === "prediction") {
      watch.predictions.set(dev, (watch.predictions.get(dev) ?? 0) + 1);
      try {
        const p = JSON.parse(payload.toString()) as { prediction: number | null; score?: number; flags: string[] };
        const v = p.score ?? p.prediction;
        watch.last.set(dev, v === null || v === undefined ? p.flags.filter((f) => f !== "warmup").join(",") : String(+v.toPrecision(4)));
      } catch {
        /* our own output; cannot fail */
      }
    } else if (kind === "drift") {
      watch.drifts.set(dev, (watch.drifts.get(dev) ?? 0) + 1);
    }
  });
  await new Promise<void>((r) => watcher.subscribe(["edgelearn/+/prediction", "edgelearn/+/drift"], { qos: 0 }, () => r()));

  const sim = new Simulator(broker.url, devices, rate);
  sim.start();
  const t0 = Date.now();
  const live = !values.quiet && process.stdout.isTTY === true;
  io.err(`edgelearn demo: broker ${broker.url} (MQTT 3.1.1), ${devices.length} devices at ${rate} readings/s each; Ctrl-C to stop\n`);
  if (running.http) io.err(`edgelearn demo: dashboard ${running.http.url}#token=${token}  (metrics ${running.http.url}metrics with that bearer token)\n`);
  const render = setInterval(() => {
    if (live) io.out("\x1b[H\x1b[2J" + summaryTable(service, devices, watch, (Date.now() - t0) / 1000));
  }, 1000);

  const code = await waitForSignal(async () => {
    clearInterval(render);
    await sim.stop();
    await running.stop();
    await new Promise<void>((r) => watcher.end(false, {}, () => r()));
    io.out(summaryTable(service, devices, watch, (Date.now() - t0) / 1000));
    await broker.close();
  }, duration === undefined ? undefined : duration * 1000);
  return code;
}
