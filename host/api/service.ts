// Public API, part 3 (`edgelearn/service`): the MQTT service embedded in an existing Node process.
// `startService(loadConfig({ file }))` runs what `edgelearn run` runs; `await service.stop()` shuts it
// down cleanly; `service.events` reports readings, drifts, checkpoints, rollbacks and health.

export { startService, openStore, Service, COMMANDS, type ServiceOptions, type ServiceEvents, type HostCounters } from "../service/index.js";
export type { Result, Failure } from "../service/result.js";
export { loadConfig, defaultConfig, readConfigFile, ConfigError, type LoadOptions } from "../config/load.js";
export { configSchema } from "../config/schema.js";
export type { Config, ModelConfig, DeviceRule, MqttConfig, Task } from "../config/types.js";
export { TASKS, SUPERVISED } from "../config/types.js";
export { MemoryStore } from "../store/memory.js";
export { SqliteStore, type SqliteStoreOptions } from "../store/sqlite.js";
export type { StateStore, CheckpointMeta, StoredBlob, CheckpointRequest } from "../store/types.js";
export { CheckpointPolicy, type CheckpointPolicyOptions } from "../store/policy.js";
export { createLogger, silentLogger, type Logger, type LogLevel, type LogSink, type LoggerOptions } from "../logger.js";
export { startBroker, type EmbeddedBroker } from "../tools/demo/broker.js";
