// Public API, part 3 (`edgelearn/service`): the MQTT service embedded in an existing Node process.
// `await startApp(loadConfig({ file }))` runs what `edgelearn run` runs: the service plus metrics,
// the HTTP server and Home Assistant discovery per the config; `startService` is the service alone
// (MQTT, learning, checkpoints; no HTTP, no discovery). `await app.stop()` / `await service.stop()`
// shut down cleanly; `service.events` reports readings, drifts, checkpoints, rollbacks and health.

export { startApp, type RunningApp } from "../app/start.js";
// What startApp throws when its HTTP server cannot listen on http.listen (a port in use...).
export { ListenError } from "../http/listen-error.js";
export { startService, openStore, Service, COMMANDS, type ServiceOptions, type ServiceEvents, type HostCounters } from "../service/index.js";
export type { CheckpointJudge, GuardState } from "../service/checkpoint-judge.js";
export type { Result, Failure } from "../service/result.js";
export { loadConfig, defaultConfig, readConfigFile, ConfigError, type LoadOptions } from "../config/load.js";
export { configSchema } from "../config/schema.js";
export type { Config, ConfigOverrides, ModelConfig, DeviceRule, MqttConfig, Task } from "../config/types.js";
export { TASKS, SUPERVISED } from "../config/types.js";
export { MemoryStore } from "../store/memory.js";
export { SqliteStore, StoreOpenError, type SqliteStoreOptions } from "../store/sqlite.js";
export type { StateStore, CheckpointMeta, StoredBlob, CheckpointRequest } from "../store/types.js";
export { CheckpointPolicy, type CheckpointPolicyOptions } from "../store/policy.js";
export { createLogger, silentLogger, type Logger, type LogLevel, type LogSink, type LoggerOptions } from "../logger.js";
export { startBroker, type EmbeddedBroker } from "../tools/demo/broker.js";
// What an output of the embedding program's own (a dashboard, a report) may publish of a device's
// statistics: docs/PRIVACY.md.
export { MIN_READINGS, mayPublish, ReleasedStats } from "../privacy/aggregate.js";
export { publishableMetrics } from "../service/released-metrics.js";
// The classes behind RunningApp's and Service's fields, by name (their instances come from startApp
// and startService; types only).
export type { HttpServer } from "../http/server.js";
export type { ServiceMetrics } from "../metrics/registry.js";
export type { DiscoveryPublisher } from "../homeassistant/publisher.js";
export type { DevicePool } from "../devices/pool.js";
export type { DeviceState } from "../service/device.js";
