// The validated configuration: what host/config/schema.ts describes, with every default filled in.

export type Task = "regression" | "classification" | "anomaly" | "forecast" | "cluster";
export const TASKS: readonly Task[] = ["regression", "classification", "anomaly", "forecast", "cluster"];
/** Tasks whose model learns from a target field. */
export const SUPERVISED: ReadonlySet<Task> = new Set<Task>(["regression", "classification", "forecast"]);

export interface ModelConfig {
  task: Task;
  /** Feature fields in order; empty: every numeric field of the device's first reading except target and ts, sorted. */
  features: string[];
  /** Target field (regression, classification, forecast). */
  target?: string;
  /** Module parameters by name (docs/ABI.md, "Parameters"). */
  params: Record<string, number>;
  /** Guard range per feature or target field: [lo, hi]. */
  ranges: Record<string, [number, number]>;
}

/** Which readings get a prediction published (host/service/publish-rule.ts). */
export interface PublishConfig {
  mode: "every" | "change" | "flagged";
  /** mode every: each Nth reading. */
  every: number;
}

export interface DeviceRule extends Partial<ModelConfig> {
  /** Device name, or a glob with `*` (any run of characters) and `?` (one character). */
  match: string;
  /** Over output.publish for the devices this rule matches. */
  publish?: Partial<PublishConfig>;
}

export interface MqttConfig {
  url: string;
  protocolVersion: 4 | 5;
  clientId: string;
  username?: string;
  password?: string;
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  keepalive: number;
  clean: boolean;
  sessionExpiryInterval: number;
  receiveMaximum: number;
  connectTimeoutMs: number;
  reconnect: { minDelayMs: number; maxDelayMs: number };
}

export interface Config {
  mqtt: MqttConfig;
  topics: {
    input: string;
    output: string;
    reply: string;
  };
  input: {
    qos: 0 | 1;
    format: "auto" | "json" | "senml";
    maxPayloadBytes: number;
    timestampField: string;
    skipRetained: boolean;
  };
  output: {
    predictions: boolean;
    qos: 0 | 1;
    publish: PublishConfig;
    healthIntervalSeconds: number;
    offlineQueue: number;
    maxBufferedBytes: number;
  };
  model: ModelConfig;
  devices: DeviceRule[];
  pool: {
    maxDevices: number;
    hotInstances: number;
    acceptUnknown: boolean;
  };
  store: {
    type: "memory" | "sqlite" | "none";
    path: string;
    history: number;
    synchronous: "FULL" | "NORMAL";
    checkpoint: { everyReadings: number; everySeconds: number };
  };
  guard: {
    enabled: boolean;
    factor: number;
    okFactor: number;
    halfLifeReadings: number;
    warmupReadings: number;
    confirmReadings: number;
    confirmSeconds: number;
    maxRollbacks: number;
  };
  cluster: ClusterConfig;
  http: {
    enabled: boolean;
    /** host:port. */
    listen: string;
    token?: string;
    tokenFile?: string;
    username?: string;
    password?: string;
    passwordFile?: string;
    /** The dashboard's origin as browsers see it behind a reverse proxy (scheme://host[:port]), or several. */
    publicOrigin?: string | string[];
    commands: boolean;
    perDeviceMetrics: boolean;
  };
  homeassistant: {
    enabled: boolean;
    prefix: string;
  };
  commands: {
    enabled: boolean;
    /** MQTT 5 user property name → accepted values (every name must be present with one of its values). */
    requireUserProperties: Record<string, string[]>;
  };
  log: {
    level: "error" | "warn" | "info" | "debug";
    format: "text" | "json";
    rateLimitSeconds: number;
  };
}

/** Cluster mode (host/cluster/): active when `servers` is not empty. */
export interface ClusterConfig {
  servers: string[];
  name: string;
  partitions: number;
  subject: string;
  stream: string;
  streams: number;
  retentionHours: number;
  modelsBucket: string;
  leasesBucket: string;
  replicas: number;
  leaseSeconds: number;
  checkpointSeconds: number;
  maxInflight: number;
  mqtt: boolean;
  user?: string;
  password?: string;
  token?: string;
  credsFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * Some of T's settings, at any depth: a section may name only the fields it changes. A list is
 * replaced whole (a config's lists are not merged entry by entry), so it keeps its entries' type.
 */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Settings applied over the file and the environment (LoadOptions.overrides). */
export type ConfigOverrides = DeepPartial<Config>;
