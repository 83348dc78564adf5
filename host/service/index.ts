// Programmatic entry: `startService(config)` returns a running service; `await service.stop()`
// shuts it down cleanly (stop taking readings, flush checkpoints, status offline, disconnect).

import { Service, type ServiceOptions } from "./service.js";
import type { Config } from "../config/types.js";
import type { StateStore } from "../store/types.js";
import { MemoryStore } from "../store/memory.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Logger } from "../logger.js";
import { HealthMonitor, guardOptions } from "../health/monitor.js";
import { ConfigError } from "../config/load.js";

export { Service, type ServiceOptions, type ServiceEvents, type HostCounters } from "./service.js";
export { COMMANDS } from "./commands.js";

/** The store `config.store` asks for (undefined for type none). */
export function openStore(config: Config, log?: Logger): StateStore | undefined {
  const s = config.store;
  if (s.type === "none") return undefined;
  if (s.type === "memory") return new MemoryStore({ history: s.history });
  const slog = log?.child("store");
  return new SqliteStore({ path: s.path, history: s.history, synchronous: s.synchronous, log: slog ? (m) => slog.warn(m) : undefined });
}

/**
 * A configuration with `cluster.servers` is a cluster worker's, which only `edgelearn run` starts:
 * a single-host service started from it would learn the same devices beside the workers, with its
 * own store, and nothing would tell. ConfigError.
 */
export function refuseClusterConfig(config: Config): void {
  if (config.cluster.servers.length === 0) return;
  throw new ConfigError([
    "cluster.servers is set: this is a cluster worker's configuration, and cluster mode is started by `edgelearn run`; " +
      "startService and startApp run a single host, which would learn the same devices beside the workers (remove cluster.servers to run one)",
  ]);
}

/**
 * Starts the service: validates the models against the learner module (ConfigError), opens the
 * store, restores devices, connects. Does not wait for the broker: await `service.ready` for that.
 */
export function startService(config: Config, opts: ServiceOptions = {}): Service {
  refuseClusterConfig(config);
  const store = "store" in opts ? opts.store : openStore(config, opts.logger);
  // The rollback guard (issue 5) needs known-good checkpoints to return to: only with a store.
  const monitor = store ? new HealthMonitor(guardOptions(config.guard), opts.now) : undefined;
  let service: Service;
  try {
    service = new Service(config, { judge: opts.knownGood ? undefined : monitor, ...opts, store });
  } catch (e) {
    store?.close();
    throw e;
  }
  monitor?.attach(service);
  return service.start();
}
