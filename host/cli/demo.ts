// `edgelearn demo` (what `npm start` runs): the demo session (host/tools/demo: broker, simulated
// sensors with drift and faults, the service and its dashboard) with a live summary in the
// terminal, until Ctrl-C or --duration.

import { ConfigError } from "../config/load.js";
import { startDemo, type DemoSession } from "../tools/demo/session.js";
import { PortError, PORT_USE } from "../tools/demo/port.js";
import { EXIT, UsageError, parse, checkModule, type Io } from "./common.js";
import { waitForSignal } from "./signals.js";

export const DEMO_HELP = `Usage: edgelearn demo [--duration S] [--rate N] [--port P] [--http-port P] [--seed N] [--quiet] [--verbose]

Starts an MQTT broker (aedes, MQTT 3.1.1) on localhost, simulated sensors publishing
readings with drift and faults (null/NaN values, malformed JSON, spikes, a stuck sensor,
a dropout, a change of level), and the edgelearn service; shows a live summary per device
(a regression, classification, anomaly and forecast task). Runs until Ctrl-C
or --duration. Watch the topics yourself with, e.g.:
  mosquitto_sub -h localhost -p 1883 -t 'edgelearn/#' -v

Options:
  --duration S   stop after S seconds (default: until Ctrl-C)
  --rate N       readings per second per device (default 50)
  --port P       broker port (default 1883, or a free port if 1883 is taken; 0: any
                 free port); a port given here that is taken stops the demo (exit 1)
  --http-port P  dashboard and metrics port (default 9464, or a free port if taken;
                 0: any free port); a port given here that is taken stops the demo
                 (exit 1); the dashboard URL printed at start carries a one-time token
                 that enables the reset/rollback/snapshot buttons
  --seed N       simulator seed (default 1)
  --quiet        no live summary, only the final one
  --verbose      service logs at info level (default: errors only)
  -h, --help     this text

Exit codes: 0 done, 1 runtime failure (a port given that is taken), 2 bad usage,
3 learner module missing.
`;

/**
 * A number ≥ 0 (above 0 when `above0`; an integer when `integer`). `--rate 0` used to become the
 * default 50 without a word, and `--seed 1.5` the same simulation as another seed.
 */
function nonNegative(name: string, v: string | undefined, dflt: number, o: { above0?: boolean; integer?: boolean } = {}): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || (o.above0 && n === 0) || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${o.integer ? "an integer" : "a number"} ${o.above0 ? "above 0" : "≥ 0"}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A TCP port (0: any free one); anything else is bad usage here, before a broker is started. */
function portNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  // Out of range or a fraction, listen() throws only after the embedded broker exists, whose
  // timers then keep the process from exiting: a stack trace and a hang instead of exit 2.
  if (v.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number from 0 to 65535, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * One line for a port the demo cannot listen on: whose port, why, and the option that changes it.
 * A runtime failure (exit 1), as for `run` when it cannot start: the command line was valid.
 */
function portAdvice(e: PortError): string {
  const option = e.use === "broker" ? "--port" : "--http-port";
  const why = e.code === "EADDRINUSE" ? ": it is in use" : e.code === "EACCES" ? ": not allowed for this user" : e.code ? ` (${e.code})` : ": it was taken";
  return `cannot listen on port ${e.port} for ${PORT_USE[e.use]}${why}; choose another with ${option} P, or ${option} 0 for any free port`;
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
  const duration = values.duration === undefined ? undefined : nonNegative("duration", values.duration, 0);
  const rate = nonNegative("rate", values.rate, 50, { above0: true });
  const port = portNumber("port", values.port);
  const httpPort = portNumber("http-port", values["http-port"]);
  const seed = nonNegative("seed", values.seed, 1, { integer: true });
  if (!checkModule(io)) return EXIT.NO_MODULE;

  let demo: DemoSession;
  try {
    demo = await startDemo({ rate, port, httpPort, seed, verbose: values.verbose });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`edgelearn: ${e.message}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof PortError) {
      io.err(`edgelearn demo: ${portAdvice(e)}\n`);
      return EXIT.FAILURE;
    }
    throw e;
  }
  const live = !values.quiet && process.stdout.isTTY === true;
  io.err(`edgelearn demo: broker ${demo.brokerUrl} (MQTT 3.1.1), ${demo.devices.length} devices at ${rate} readings/s each; Ctrl-C to stop\n`);
  if (demo.dashboard) io.err(`edgelearn demo: dashboard ${demo.dashboard}  (metrics ${demo.metrics} with that bearer token)\n`);
  const render = setInterval(() => {
    if (live) io.out("\x1b[H\x1b[2J" + demo.summary());
  }, 1000);

  return waitForSignal(async () => {
    clearInterval(render);
    await demo.stop();
    io.out(demo.summary());
  }, duration === undefined ? undefined : duration * 1000);
}
