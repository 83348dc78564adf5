// Starts what `edgelearn run` runs (without cluster.servers): the service with what users look at,
// the HTTP server (metrics, probes, dashboard) and Home Assistant discovery, each per its config
// section. They hook into the service only through its events and public methods; the store is
// wrapped to time checkpoints. Public as `startApp` in `edgelearn/service`.
//
// Shutdown order: readiness off and the HTTP server closed first (a load balancer stops sending),
// then the service's own shutdown, then the discovery connection.

import type { Config } from "../config/types.js";
import { createLogger } from "../logger.js";
import { ServiceMetrics } from "../metrics/registry.js";
import { timedStore } from "../metrics/timed-store.js";
import { HttpServer } from "../http/server.js";
import { DiscoveryPublisher } from "../homeassistant/publisher.js";
import { openStore, refuseClusterConfig, startService } from "../service/index.js";
import type { Service, ServiceOptions } from "../service/service.js";

export interface RunningApp {
  service: Service;
  /** The HTTP server (its bound address in `url`); undefined with http.enabled false. */
  http: HttpServer | undefined;
  /** Home Assistant discovery; undefined unless homeassistant.enabled. */
  discovery: DiscoveryPublisher | undefined;
  /** The Prometheus registry behind /metrics (`metrics.registry`). */
  metrics: ServiceMetrics;
  /** Closes the HTTP server, stops the service (checkpoints, status offline, disconnect), then discovery. */
  stop(): Promise<void>;
}

/**
 * startService plus metrics, the HTTP server and discovery. Throws ConfigError like startService
 * (also for an unusable http.tokenFile or passwordFile), and a ListenError when the HTTP server
 * cannot listen on http.listen (a port in use...), after stopping what it started.
 * Without opts.logger, logs as the service would (config.log).
 */
export async function startApp(config: Config, opts: ServiceOptions = {}): Promise<RunningApp> {
  refuseClusterConfig(config); // before the store is opened
  const logger = opts.logger ?? createLogger("edgelearn", { level: config.log.level, format: config.log.format });
  const metrics = new ServiceMetrics(config.http.perDeviceMetrics);
  const store = "store" in opts ? opts.store : openStore(config, logger);
  const service = startService(config, { ...opts, logger, store: store && timedStore(store, metrics) });
  metrics.attach(service);
  let http: HttpServer | undefined;
  let discovery: DiscoveryPublisher | undefined;
  try {
    if (config.http.enabled) {
      const log = logger.child("http");
      const server = new HttpServer({ service, config: config.http, log, metrics });
      try {
        http = await server.start();
      } catch (e) {
        // A ListenError (a taken port...): the start fails, and the service started above is stopped below.
        await server.stop();
        throw e;
      }
    }
    if (config.homeassistant.enabled) discovery = new DiscoveryPublisher(service, config, logger.child("homeassistant")).start();
  } catch (e) {
    await service.stop();
    metrics.stop();
    throw e;
  }
  return {
    service,
    http,
    discovery,
    metrics,
    async stop() {
      await http?.stop();
      await service.stop();
      await discovery?.stop();
      metrics.stop();
    },
  };
}
