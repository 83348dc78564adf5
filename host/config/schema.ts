// The configuration schema (JSON Schema draft-07, validated with ajv): every setting, its type,
// default and description. host/config/load.ts fills defaults from here and reports violations as
// "path: message"; host/config/env.ts maps environment overrides onto these paths.
// config/edgelearn.example.yaml documents the same settings for users; keep them together.

const TASK = {
  type: "string",
  enum: ["regression", "classification", "anomaly", "forecast", "cluster"],
  description:
    "regression (linear model), classification (logistic, target 0/1), anomaly (calibrated novelty and transition surprise, no target), " +
    "forecast (autoregressive on the target series), cluster (online k-means, no target)",
};

/** A settings group: a mapping with no unknown keys, present with its defaults even when omitted. */
const SECTION = { type: "object", additionalProperties: false, default: {} } as const;

const FIELD = { type: "string", minLength: 1, pattern: "^[^\\u0000]+$" };

/** Shortest HTTP bearer token and basic-auth password, inline or in a file (load.ts checks the files). */
export const HTTP_TOKEN_MIN_LENGTH = 16;
export const HTTP_PASSWORD_MIN_LENGTH = 8;

/**
 * Shortest MQTT password in mqtt.passwordFile: one character. The broker's administrator chose the
 * password, so edgelearn has no length to demand of it (a short one is the broker's policy); an
 * empty or blank file, though, is a secret not provisioned, and sending it would only fail at the
 * broker as "not authorized", far from its cause.
 */
export const MQTT_PASSWORD_MIN_LENGTH = 1;

const MODEL_PROPS = {
  task: TASK,
  features: {
    type: "array",
    items: FIELD,
    maxItems: 32,
    uniqueItems: true,
    description:
      "Feature fields, in order (at most 32). Empty: every numeric field of the device's first reading except the target and the timestamp, sorted by name, then fixed for that device.",
  },
  target: { ...FIELD, description: "The field the model learns to predict (regression, classification, forecast)." },
  params: {
    type: "object",
    additionalProperties: { type: "number" },
    description: "Module parameters by name, e.g. {learning_rate: 0.01} (names: docs/ABI.md, Parameters).",
  },
  ranges: {
    type: "object",
    additionalProperties: {
      type: "array",
      items: { type: "number" },
      minItems: 2,
      maxItems: 2,
    },
    description: "Guard range [lo, hi] per feature or target field: readings outside are rejected (reason `range`).",
  },
};

const PUBLISH_MODE = {
  type: "string",
  enum: ["every", "change", "flagged"],
  description:
    "Which readings get a prediction published. every: every Nth reading (publish.every); change: when the prediction or label differs from the last one published; flagged: only readings flagged anomaly or drift, or rejected. Flagged readings are always published.",
};
const PUBLISH_EVERY = { type: "integer", minimum: 1, maximum: 1000000, description: "With mode every: publish every Nth reading of a device (1: each one)." };

export const configSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "edgelearn configuration",
  type: "object",
  additionalProperties: false,
  properties: {
    mqtt: {
      ...SECTION,
      description: "Connection to the MQTT broker.",
      properties: {
        url: {
          type: "string",
          default: "mqtt://localhost:1883",
          pattern: "^(mqtt|mqtts|tcp|ssl|ws|wss)://",
          description: "Broker URL: mqtt://host:port, or mqtts://host:port for TLS.",
        },
        protocolVersion: {
          type: "integer",
          enum: [4, 5],
          default: 5,
          description: "5 for MQTT 5 (default), 4 for MQTT 3.1.1.",
        },
        clientId: {
          type: "string",
          minLength: 1,
          maxLength: 64,
          default: "edgelearn",
          description: "Fixed client id: the broker keeps the session (and queued QoS 1 readings) under it. Unique per host.",
        },
        username: { type: "string", description: "Username for the broker." },
        password: { type: "string", description: "Password (prefer passwordFile or the EDGELEARN_MQTT__PASSWORD variable)." },
        passwordFile: { type: "string", description: "File whose first line is the password (surrounding spaces and tabs are ignored; an empty or blank file is a config error)." },
        ca: { type: "string", description: "CA certificate file (PEM) to verify the broker for mqtts://." },
        cert: { type: "string", description: "Client certificate file (PEM) for mutual TLS." },
        key: { type: "string", description: "Client private key file (PEM) for mutual TLS." },
        rejectUnauthorized: {
          type: "boolean",
          default: true,
          description: "Refuse a broker certificate that does not verify. Turn off only for testing.",
        },
        keepalive: { type: "integer", minimum: 0, maximum: 65535, default: 30, description: "Keep-alive in seconds." },
        clean: {
          type: "boolean",
          default: false,
          description: "false (default): persistent session, QoS 1 readings published while the host is away are delivered when it returns.",
        },
        sessionExpiryInterval: {
          type: "integer",
          minimum: 0,
          maximum: 4294967295,
          default: 86400,
          description: "MQTT 5: seconds the broker keeps the session after a disconnect.",
        },
        receiveMaximum: {
          type: "integer",
          minimum: 1,
          maximum: 65535,
          default: 64,
          description: "MQTT 5: QoS 1 readings the broker may have in flight to the host at once (backpressure).",
        },
        connectTimeoutMs: { type: "integer", minimum: 100, default: 10000, description: "Give up one connection attempt after this long." },
        reconnect: {
          ...SECTION,
          description: "Reconnect with exponential backoff and full jitter between minDelayMs and maxDelayMs.",
          properties: {
            minDelayMs: { type: "integer", minimum: 10, default: 500 },
            maxDelayMs: { type: "integer", minimum: 10, default: 30000 },
          },
        },
      },
    },
    topics: {
      ...SECTION,
      description: "Topic prefixes.",
      properties: {
        input: {
          type: "string",
          minLength: 1,
          pattern: "^[^#+]+$",
          default: "sensors",
          description: "Readings arrive on <input>/<device>.",
        },
        output: {
          type: "string",
          minLength: 1,
          pattern: "^[^#+]+$",
          default: "edgelearn",
          description:
            "Outputs go to <output>/<device>/{prediction,drift,health}; commands on <output>/<device>/cmd and <output>/cmd; host status on <output>/status.",
        },
        reply: {
          type: "string",
          default: "",
          pattern: "^[^#+]*$",
          description:
            "Reply topic for commands without an MQTT 5 response topic. Empty: <output>/<device>/reply, or <output>/reply for host-wide commands.",
        },
      },
    },
    input: {
      ...SECTION,
      properties: {
        qos: { type: "integer", enum: [0, 1], default: 1, description: "Subscription QoS. At 1 a reading is acknowledged only after it was learned." },
        format: {
          type: "string",
          enum: ["auto", "json", "senml"],
          default: "auto",
          description: "auto: a JSON object is a flat reading, a JSON array is SenML (RFC 8428).",
        },
        maxPayloadBytes: { type: "integer", minimum: 16, maximum: 1048576, default: 8192, description: "Larger payloads are refused (reason `too_large`)." },
        timestampField: {
          type: "string",
          minLength: 1,
          default: "ts",
          description: "Optional timestamp field of flat readings: Unix milliseconds or an ISO 8601 string.",
        },
        skipRetained: {
          type: "boolean",
          default: true,
          description: "Ignore retained readings replayed by the broker on subscribe, so a restart does not learn the same reading twice.",
        },
      },
    },
    output: {
      ...SECTION,
      properties: {
        predictions: { type: "boolean", default: true, description: "Publish <output>/<device>/prediction for every reading." },
        qos: { type: "integer", enum: [0, 1], default: 0, description: "QoS of predictions (drift, health, status and replies use 1)." },
        publish: {
          ...SECTION,
          description: "Which readings get a prediction published, for every device (devices[].publish overrides it per rule).",
          properties: {
            mode: { ...PUBLISH_MODE, default: "every" },
            every: { ...PUBLISH_EVERY, default: 1 },
          },
        },
        healthIntervalSeconds: {
          type: "number",
          minimum: 1,
          maximum: 86400,
          default: 5,
          description: "Retained <output>/<device>/health at most this often, when something changed.",
        },
        offlineQueue: {
          type: "integer",
          minimum: 0,
          maximum: 1000000,
          default: 1000,
          description: "Predictions kept while the broker is unreachable; beyond it the oldest are dropped and counted (health: dropped_predictions). Health, drift and status are never dropped: the newest of each is sent on reconnect.",
        },
        maxBufferedBytes: {
          type: "integer",
          minimum: 1024,
          default: 1048576,
          description: "When this much output waits in the socket, the host stops acknowledging readings until it drains (backpressure to the broker).",
        },
      },
    },
    model: {
      ...SECTION,
      description: "The model of every device that no rule in `devices` matches, and the base that rules override.",
      properties: {
        ...MODEL_PROPS,
        task: { ...TASK, default: "anomaly" },
        features: { ...MODEL_PROPS.features, default: [] },
        params: { ...MODEL_PROPS.params, default: {} },
        ranges: { ...MODEL_PROPS.ranges, default: {} },
      },
    },
    devices: {
      type: "array",
      default: [],
      description: "Per-device rules, first match wins; each overrides fields of `model`.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["match"],
        properties: {
          match: {
            type: "string",
            minLength: 1,
            description: "Device name, or a glob: * matches any run of characters, ? one character.",
          },
          ...MODEL_PROPS,
          publish: {
            type: "object",
            additionalProperties: false,
            description: "as `output.publish`, for the devices this rule matches (fields not given come from output.publish)",
            properties: { mode: PUBLISH_MODE, every: PUBLISH_EVERY },
          },
        },
      },
    },
    pool: {
      ...SECTION,
      properties: {
        maxDevices: {
          type: "integer",
          minimum: 1,
          maximum: 1000000,
          default: 10000,
          description: "Most devices this host learns for. Readings of further devices are refused and counted (host health: device_cap).",
        },
        hotInstances: {
          type: "integer",
          minimum: 1,
          maximum: 4096,
          default: 256,
          description: "Module instances kept live (64 KiB each); other devices rest as state blobs and swap in on their next reading (least recently used out).",
        },
        acceptUnknown: {
          type: "boolean",
          default: true,
          description: "Learn for devices no rule in `devices` matches (with `model`). false: their readings are refused as `unknown_topic`.",
        },
      },
    },
    store: {
      ...SECTION,
      description: "Durable model state (checkpoints). Raw readings are never stored.",
      properties: {
        type: {
          type: "string",
          enum: ["sqlite", "memory", "none"],
          default: "sqlite",
          description: "sqlite: one file (WAL mode); memory: lost on exit; none: no checkpoints, no rollback.",
        },
        path: { type: "string", minLength: 1, default: "edgelearn.db", description: "SQLite file. Its directory must be writable: SQLite keeps <path>-wal and <path>-shm beside it, and a running host holds <path>.lock, so a second host on the same file is refused." },
        history: { type: "integer", minimum: 1, maximum: 1000, default: 5, description: "Checkpoints kept per device." },
        synchronous: {
          type: "string",
          enum: ["FULL", "NORMAL"],
          default: "FULL",
          description: "SQLite sync: FULL, a checkpoint survives a power cut once written; NORMAL, faster, survives a crash of the host but a power cut may lose the last checkpoints (never corrupts).",
        },
        checkpoint: {
          ...SECTION,
          description: "A device checkpoints after everyReadings readings or everySeconds seconds since its last checkpoint, whichever first, and on shutdown. 0 turns a trigger off.",
          properties: {
            everyReadings: { type: "integer", minimum: 0, default: 10000 },
            everySeconds: { type: "number", minimum: 0, default: 300 },
          },
        },
      },
    },
    guard: {
      ...SECTION,
      description:
        "Rollback guard (needs a store): when a device's rolling error (or anomaly rate) degrades past factor × its level at the last known-good checkpoint and the drift detector has not confirmed a real drift, the device rolls back to that checkpoint (published on its health).",
      properties: {
        enabled: { type: "boolean", default: true, description: "false: never roll back on its own; every checkpoint is known-good. The guard's state is kept with each checkpoint: a restart resumes it (still on probation in the middle of a burst); a reset or a loaded blob starts it afresh." },
        factor: { type: "number", exclusiveMinimum: 1, default: 2, description: "Roll back when the rolling loss exceeds factor × baseline." },
        okFactor: { type: "number", minimum: 1, default: 1.5, description: "A checkpoint is known-good only while the loss is ≤ okFactor × baseline." },
        halfLifeReadings: { type: "number", exclusiveMinimum: 0, default: 50, description: "Half-life of the rolling loss, in readings." },
        warmupReadings: { type: "integer", minimum: 0, default: 200, description: "Readings after a start, rollback or drift before the loss is judged." },
        confirmReadings: { type: "integer", minimum: 1, default: 7200, description: "Readings a change must hold to count as a confirmed drift (not a burst of bad data)." },
        confirmSeconds: {
          type: "number",
          minimum: 0,
          default: 7200,
          description:
            "... and reading time in seconds (the readings' own timestamps: a restart's downtime does not count, a replay confirms as the data did); a shorter burst is rolled back when it ends. Each gap between readings counts for at most a tenth of it, and a gap backwards for nothing, so a device with a bad clock cannot confirm with one reading stamped far ahead.",
        },
        maxRollbacks: { type: "integer", minimum: 1, default: 3, description: "Rollbacks in a row before a change is put on probation." },
      },
    },
    cluster: {
      ...SECTION,
      description:
        "Cluster mode (README, Cluster mode): with servers set, `edgelearn run` is one worker of many on NATS JetStream instead of an MQTT client; store and guard do not apply, mqtt is the connection to nats-server's MQTT listener (cluster.mqtt).",
      properties: {
        servers: {
          type: "array",
          items: { type: "string", minLength: 1 },
          default: [],
          description: "NATS servers (nats://host:port). Empty: single-host mode.",
        },
        name: { type: "string", default: "", pattern: "^[-_a-zA-Z0-9]*$", description: "This worker's name (letters, digits, - and _). Empty: hostname-pid." },
        partitions: {
          type: "integer",
          minimum: 1,
          maximum: 1024,
          default: 64,
          description: "P, the fixed partition count: nats-server's mapping {{partition(P,1)}} must use the same P, and every worker must agree (refused otherwise).",
        },
        subject: { type: "string", default: "edgelearn_in", pattern: "^[-_a-zA-Z0-9]+$", description: "First token of the partitioned reading subjects <subject>.<partition>.<device> that nats-server maps <input>.* to." },
        stream: { type: "string", default: "EDGELEARN_READINGS", pattern: "^[-_a-zA-Z0-9]+$", description: "JetStream stream that keeps the readings (created if missing)." },
        streams: {
          type: "integer",
          minimum: 1,
          maximum: 256,
          default: 1,
          description:
            "S, streams the partitions are spread over (partition p in stream p mod S, named <stream>_<s> when S > 1) so no single stream leader takes every reading; at most partitions, fixed like P.",
        },
        retentionHours: { type: "number", exclusiveMinimum: 0, default: 24, description: "How long the stream keeps readings: a partition whose owner is down longer loses the older ones." },
        modelsBucket: { type: "string", default: "edgelearn_models", pattern: "^[-_a-zA-Z0-9]+$", description: "KV bucket of model blobs, one key per device (created if missing)." },
        leasesBucket: { type: "string", default: "edgelearn_leases", pattern: "^[-_a-zA-Z0-9]+$", description: "KV bucket of partition leases and live workers (created if missing; its TTL is leaseSeconds)." },
        replicas: { type: "integer", minimum: 1, maximum: 5, default: 1, description: "Replicas of the stream and buckets when this worker creates them: 3 in a 3-node NATS cluster." },
        leaseSeconds: { type: "number", minimum: 1, maximum: 600, default: 10, description: "A partition lease lives this long unless renewed (every third of it; a lease request waits at most a quarter of it, up to 5 s, for its answer); a killed worker's partitions move after about this." },
        checkpointSeconds: { type: "number", exclusiveMinimum: 0, default: 5, description: "Each owned partition writes its changed devices' blobs this often (and on release)." },
        maxInflight: { type: "integer", minimum: 1, maximum: 100000, default: 512, description: "Readings pulled and not yet acknowledged, per owned partition (backpressure)." },
        mqtt: {
          type: "boolean",
          default: true,
          description:
            "Also connect to mqtt.url (nats-server's MQTT listener) for what only an MQTT client can publish: retained device health and <output>/status with a last will. false: neither.",
        },
        user: { type: "string", description: "NATS user." },
        password: { type: "string", description: "NATS password." },
        token: { type: "string", description: "NATS token." },
        credsFile: { type: "string", description: "NATS credentials file (JWT + nkey)." },
        ca: { type: "string", description: "CA certificate (PEM file) for TLS to NATS." },
        cert: { type: "string", description: "Client certificate (PEM file) for TLS." },
        key: { type: "string", description: "Client key (PEM file) for TLS." },
      },
    },
    http: {
      ...SECTION,
      description:
        "HTTP server: /metrics (Prometheus), /healthz, /readyz and the live dashboard at /. A bind other than loopback needs credentials (token, or username and password).",
      properties: {
        enabled: { type: "boolean", default: true, description: "Serve metrics, probes and the dashboard." },
        listen: {
          type: "string",
          default: "127.0.0.1:9464",
          pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^:\\s\\[\\]]+):[0-9]{1,5}$",
          description: "host:port to listen on ([::1]:port for IPv6). Anything but 127.0.0.0/8, ::1 or localhost requires a token or basic-auth credentials.",
        },
        token: { type: "string", minLength: HTTP_TOKEN_MIN_LENGTH, description: "Bearer token (Authorization: Bearer ...); at least 16 characters. Prefer tokenFile or EDGELEARN_HTTP__TOKEN." },
        tokenFile: { type: "string", description: "File whose first line is the bearer token (at least 16 characters; surrounding spaces and tabs are ignored)." },
        username: { type: "string", minLength: 1, description: "Basic-auth user name (with password or passwordFile)." },
        password: { type: "string", minLength: HTTP_PASSWORD_MIN_LENGTH, description: "Basic-auth password (prefer passwordFile or EDGELEARN_HTTP__PASSWORD)." },
        passwordFile: { type: "string", description: "File whose first line is the basic-auth password (at least 8 characters; surrounding spaces and tabs are ignored)." },
        publicOrigin: {
          type: ["string", "array"],
          items: { type: "string" },
          minItems: 1,
          description:
            "Behind a reverse proxy: the dashboard's origin as browsers see it (scheme://host[:port], e.g. https://edge.example.com), or a list of them when the proxy serves it under several names. Dashboard commands are accepted from these origins as well as from the one the Host header names, and without credentials the server answers requests for their hosts besides this machine's names (others: 421).",
        },
        commands: {
          type: "boolean",
          default: false,
          description: "Allow reset, rollback and snapshot download from the dashboard; only for authenticated requests, so it needs credentials.",
        },
        perDeviceMetrics: {
          type: "boolean",
          default: false,
          description: "Also export per-device series (label device): one set per device, so watch the cardinality on large fleets.",
        },
      },
    },
    homeassistant: {
      ...SECTION,
      description: "Home Assistant MQTT discovery: every device's outputs appear in Home Assistant as one device with sensors (device-based discovery, Home Assistant 2026.x rules).",
      properties: {
        enabled: { type: "boolean", default: false, description: "Publish retained discovery configs under <prefix>/device/<id>/config." },
        prefix: {
          type: "string",
          minLength: 1,
          pattern: "^[^#+]+$",
          default: "homeassistant",
          description: "Home Assistant's discovery prefix; its birth message is expected on <prefix>/status.",
          },
        },
      },
    commands: {
      ...SECTION,
      description:
        "Commands on <output>/<device>/cmd and <output>/cmd (reset, snapshot, rollback, health). Lock them down at the broker with an ACL (docs/SECURITY.md); these settings are for brokers without one.",
      properties: {
        enabled: { type: "boolean", default: true, description: "false: commands are off (not even subscribed); anything published on a command topic is refused (bad_command)." },
        requireUserProperties: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" }, minItems: 1 },
          default: {},
          description:
            "MQTT 5: accept a command only when it carries each of these user properties with one of the listed values, e.g. {operator: [alice, bob]}. Values are never logged. The sender sets them: as strong as their secrecy, or as the broker plugin that stamps them.",
        },
      },
    },
    log: {
      ...SECTION,
      properties: {
        level: { type: "string", enum: ["error", "warn", "info", "debug"], default: "info" },
        format: { type: "string", enum: ["text", "json"], default: "text", description: "Lines on stderr: text or one JSON object each." },
        rateLimitSeconds: {
          type: "number",
          minimum: 0,
          default: 10,
          description: "Bad-input warnings: at most one line per device and reason in this window (counts are always exact in health).",
        },
      },
    },
  },
} as const;
