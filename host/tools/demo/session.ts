// The demo's moving parts, started together and stopped together: an in-process broker, the
// service with its dashboard (memory store, loopback only), a subscriber watching what the
// service publishes, and simulated sensors with drift and faults. Nothing is written to disk.
// The command around it (arguments, signals, the terminal) is host/cli/demo.ts.

import { connect } from "mqtt";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../config/load.js";
import { createLogger } from "../../logger.js";
import { Learner, Kind } from "../../learner/index.js";
import { startApp, type RunningApp } from "../../app/start.js";
import { ListenError } from "../../http/listen-error.js";
import { PortError, isPortRefusal, portFree, portOrFree } from "./port.js";
import { startBroker, type EmbeddedBroker } from "./broker.js";
import { demoDevices, Simulator, type SimDevice } from "./simulator.js";
import { summaryTable, type Watch } from "./summary.js";

export interface DemoOptions {
  /** Readings per second per device. */
  rate: number;
  /** Broker port (default 1883, or a free port if 1883 is taken). */
  port?: number;
  /** Dashboard and metrics port (default 9464, or a free port if taken). */
  httpPort?: number;
  seed: number;
  /** Service logs at info level (default: errors only). */
  verbose?: boolean;
}

export interface DemoSession {
  brokerUrl: string;
  devices: SimDevice[];
  /** The dashboard's URL with the one-time token in its fragment (undefined: no dashboard). */
  dashboard: string | undefined;
  /** The metrics endpoint (with the same token as bearer). */
  metrics: string | undefined;
  /** The summary table as of now. */
  summary(): string;
  /** Stops the sensors, the service, the watcher and the broker, in that order. */
  stop(): Promise<void>;
}

async function brokerOn(port: number | undefined): Promise<EmbeddedBroker> {
  try {
    return await startBroker(port ?? 1883);
  } catch (e) {
    if (!isPortRefusal(e)) throw e;
    if (port !== undefined) throw new PortError("broker", port, (e as NodeJS.ErrnoException).code);
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

/**
 * Starts the demo; a ConfigError or a failed start stops what was started before it is thrown. A
 * port given in `o` that cannot be listened on is a PortError.
 */
export async function startDemo(o: DemoOptions): Promise<DemoSession> {
  const devices = demoDevices(o.seed, supports(Kind.HalfSpace));
  const token = randomBytes(16).toString("hex");
  if (o.httpPort !== undefined) await portFree("http", o.httpPort);
  const httpPort = o.httpPort ?? (await portOrFree(9464));
  const broker = await brokerOn(o.port);
  let running: RunningApp | undefined;
  try {
    const config = loadConfig({
      overrides: {
        mqtt: { url: broker.url, protocolVersion: 4, clientId: "edgelearn-demo", reconnect: { minDelayMs: 100, maxDelayMs: 2000 } },
        output: { healthIntervalSeconds: 1 },
        devices: devices.map((d) => ({ match: d.name, task: d.task, features: d.features, ...(d.target ? { target: d.target } : {}) })),
        model: { task: "regression", target: "power" },
        store: { type: "memory" },
        // Loopback only; a fresh token each run, handed to the page in the URL's fragment
        // (never sent to the server, never in a log), so the buttons work from that link only.
        http: { listen: `127.0.0.1:${httpPort}`, token, commands: true },
        log: { level: o.verbose ? "info" : "error" },
      },
    });
    running = await startApp(config, { logger: createLogger("edgelearn", { level: config.log.level }) });
    await running.service.ready;
  } catch (e) {
    // The app and the embedded broker keep the process alive: stop them, or a failed start hangs forever.
    await running?.stop();
    await broker.close();
    // The dashboard's port was free a moment ago, so someone took it since: said as for a port taken before the start.
    throw e instanceof ListenError ? new PortError("http", httpPort, e.code) : e;
  }
  const app = running;
  const service = app.service;

  const watch: Watch = { predictions: new Map(), last: new Map(), drifts: new Map(), anomalies: new Map() };
  const anomalyTask = new Set(devices.filter((d) => d.task === "anomaly").map((d) => d.name));
  const watcher = connect(broker.url, { clientId: "edgelearn-demo-watch", protocolVersion: 4 });
  watcher.on("message", (topic, payload) => {
    const [, dev, kind] = topic.split("/");
    if (kind === "prediction") {
      watch.predictions.set(dev, (watch.predictions.get(dev) ?? 0) + 1);
      try {
        const p = JSON.parse(payload.toString()) as { prediction: number | null; score?: number; flags: string[] };
        // the anomaly device's news is its score; the others' (a forecast's too) their prediction
        const v = anomalyTask.has(dev) ? p.score ?? p.prediction : p.prediction ?? p.score;
        watch.last.set(dev, v === null || v === undefined ? p.flags.filter((f) => f !== "warmup").join(",") : String(+v.toPrecision(4)));
        if (p.flags.includes("anomaly")) watch.anomalies.set(dev, (watch.anomalies.get(dev) ?? 0) + 1);
      } catch {
        /* our own output; cannot fail */
      }
    } else if (kind === "drift") {
      watch.drifts.set(dev, (watch.drifts.get(dev) ?? 0) + 1);
    }
  });
  await new Promise<void>((r) => watcher.subscribe(["edgelearn/+/prediction", "edgelearn/+/drift"], { qos: 0 }, () => r()));

  const sim = new Simulator(broker.url, devices, o.rate);
  sim.start();
  const t0 = Date.now();
  const http = app.http;
  return {
    brokerUrl: broker.url,
    devices,
    dashboard: http ? `${http.url}#token=${token}` : undefined,
    metrics: http ? `${http.url}metrics` : undefined,
    summary: () => summaryTable(service, devices, watch, (Date.now() - t0) / 1000, sim.injected),
    async stop() {
      await sim.stop();
      await app.stop();
      await new Promise<void>((r) => watcher.end(false, {}, () => r()));
      await broker.close();
    },
  };
}
