// `edgelearn run`: the service, until SIGINT or SIGTERM (then a clean shutdown and exit 0).

import { loadConfig, ConfigError } from "../config/load.js";
import { TASKS } from "../config/types.js";
import { createLogger, type Logger } from "../logger.js";
import type { Config } from "../config/types.js";
import { startApp } from "../app/start.js";
import { ClusterWorker } from "../cluster/worker.js";
import { EXIT, UsageError, parse, checkModule, nameList, type Io } from "./common.js";
import { waitForSignal } from "./signals.js";

export const RUN_HELP = `Usage: edgelearn run --config FILE
       edgelearn run --broker URL [--task T] [--target FIELD] [--features a,b,...]

Runs the service: subscribes to <input>/<device> (default sensors/+), learns a model per
device from every reading, publishes predictions, drift and health under edgelearn/<device>/,
answers commands on edgelearn/<device>/cmd and edgelearn/cmd, and keeps no raw data.
Serves Prometheus metrics, /healthz, /readyz and a live dashboard on http.listen
(default http://127.0.0.1:9464/; http.enabled: false turns it off).
Stops cleanly on SIGINT or SIGTERM: no more readings are taken, checkpoints are flushed,
edgelearn/status becomes "offline". Logs go to stderr; a reader that closes stderr or stdout
(\`2>&1 | grep -m1 running\`) does not stop the service: it goes on without writing there.

Options:
  -c, --config FILE     JSON or YAML configuration (default: $EDGELEARN_CONFIG;
                        see config/edgelearn.example.yaml)
  --broker URL          broker URL (overrides mqtt.url); enough on its own for a quick start
  --task T              ${TASKS.join(", ")} (model.task; default anomaly)
  --target FIELD        the field to predict (model.target)
  --features a,b,...    feature fields (model.features; default: the numeric fields of the
                        first reading)
  --log-level L         error, warn, info, debug (log.level)
  -h, --help            this text

Environment: EDGELEARN_<PATH> overrides a setting, e.g. EDGELEARN_MQTT__URL,
EDGELEARN_MQTT__PASSWORD, EDGELEARN_STORE__PATH.

Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad usage or configuration (nothing was
connected), 3 learner module missing.
`;

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse("run", argv, {
    config: { type: "string", short: "c" },
    broker: { type: "string" },
    task: { type: "string" },
    target: { type: "string" },
    features: { type: "string" },
    "log-level": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(RUN_HELP);
    return EXIT.OK;
  }
  const file = values.config ?? process.env.EDGELEARN_CONFIG;
  if (!file && !values.broker) throw new UsageError("give --config FILE or --broker URL (see edgelearn run --help)");
  const model: Record<string, unknown> = {};
  if (values.task) model.task = values.task;
  if (values.target) model.target = values.target;
  const features = nameList("--features", values.features);
  if (features) model.features = features;
  const overrides: Record<string, unknown> = {};
  if (Object.keys(model).length) overrides.model = model;
  if (values.broker) overrides.mqtt = { url: values.broker };
  if (values["log-level"]) overrides.log = { level: values["log-level"] };

  let config;
  try {
    config = loadConfig({ file, overrides });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`edgelearn: ${new ConfigError(e.problems.map((p) => withFlag(p, values))).message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  if (!checkModule(io)) return EXIT.NO_MODULE;
  const logger = createLogger("edgelearn", { level: config.log.level, format: config.log.format });
  if (config.cluster.servers.length > 0) return runWorker(config, logger, io);
  let running;
  try {
    running = await startApp(config, { logger });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`edgelearn: ${e.message}\n`);
      return EXIT.USAGE;
    }
    logger.error(`cannot start: ${(e as Error).message}`);
    return EXIT.FAILURE;
  }
  // Handlers first, then the announcement: a SIGTERM sent as soon as "running" is read must find them.
  const stopped = waitForSignal(() => running.stop());
  logger.info(`edgelearn running (config ${file ?? "defaults"})${running.http ? `; dashboard ${running.http.url}` : ""}; Ctrl-C to stop`);
  return stopped;
}

/** The settings the options set: a problem with one of them names the option, not only the setting. */
const FLAGS: Record<string, string> = {
  "mqtt.url": "broker",
  "model.task": "task",
  "model.target": "target",
  "model.features": "features",
  "log.level": "log-level",
};

/** `model.task: expected one of ...` → `... (set by --task)` when --task was given. */
function withFlag(problem: string, values: Record<string, unknown>): string {
  const path = problem.slice(0, problem.indexOf(":"));
  const flag = FLAGS[path];
  return flag !== undefined && values[flag] !== undefined ? `${problem} (set by --${flag})` : problem;
}

/** Cluster mode (host/cluster/): one worker on NATS JetStream instead of an MQTT client. */
async function runWorker(config: Config, logger: Logger, io: Io): Promise<number> {
  let worker: ClusterWorker;
  try {
    worker = await ClusterWorker.start(config, { logger });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`edgelearn: ${e.message}\n`);
      return EXIT.USAGE;
    }
    logger.error(`cannot start the cluster worker: ${(e as Error).message}`);
    return EXIT.FAILURE;
  }
  const stopped = waitForSignal(() => worker.stop());
  logger.info(`edgelearn cluster worker ${worker.name} running; Ctrl-C to stop`);
  return stopped;
}
