// Child process of bench/mqtt.bench.ts: one MQTT consumer, measured on its own so that its RSS
// is its own and it does not share an event loop with the publisher.
//
//   node build/bench/lib/mqtt-worker.js bare    URL QOS
//   node build/bench/lib/mqtt-worker.js echo    URL QOS
//   node build/bench/lib/mqtt-worker.js service URL QOS FEATURES MAX_DEVICES
//   node build/bench/lib/mqtt-worker.js direct  -   -   FEATURES MAX_DEVICES
//
// bare: an MQTT.js client subscribed to sensors/# that only counts messages.
// echo: an MQTT.js client that republishes every reading unchanged at QoS 0 on
// edgelearn/<device>/prediction, doing nothing else: the floor of the publish → prediction
// latency on this machine and broker, which the service's latency is measured against.
// service: the edgelearn service (host/service) with an 8-feature regression model per device,
// publishing a prediction per reading, no checkpoint store.
// direct: the same service without a broker: {cmd: "feed", n, devices, payloads} hands it n
// readings through Service.handle (the path a message takes after MQTT.js parsed it) and its
// outputs go to a sink. For memory against stream length and device count, where the broker
// would only add minutes.
// Over IPC it answers {cmd: "count"} with {count, lastNs} (lastNs: the monotonic clock at the
// last message, comparable across processes on Linux), {cmd: "stats"} with that and its RSS and
// heap, {cmd: "gc"} after a full collection, and exits on {cmd: "stop"}.
// bench/mqtt.bench.ts starts it with the service's V8 flags (SERVICE_V8_FLAGS there).

import mqtt from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";

export interface WorkerStats {
  count: number;
  lastNs: string;
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

type Mode = "bare" | "echo" | "service" | "direct";

async function startBare(url: string, qos: 0 | 1, onMessage: () => void, echo = false): Promise<() => Promise<void>> {
  const client = mqtt.connect(url, { protocolVersion: 5, clean: true, clientId: `bench-${echo ? "echo" : "bare"}-${process.pid}`, reconnectPeriod: 0 });
  client.on("message", echo ? (topic, payload) => {
    client.publish(`edgelearn/${topic.slice(topic.indexOf("/") + 1)}/prediction`, payload, { qos: 0 });
    onMessage();
  } : onMessage);
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => client.subscribe("sensors/#", { qos }, (e) => (e ? reject(e) : resolve())));
    client.once("error", reject);
  });
  return () => client.endAsync();
}

function serviceConfig(url: string, qos: 0 | 1, features: number, maxDevices: number) {
  return loadConfig({
    env: {},
    overrides: {
      mqtt: { url, clientId: `bench-edgelearn-${process.pid}`, clean: true },
      input: { qos },
      model: { task: "regression", features: Array.from({ length: features }, (_, j) => `f${j}`), target: "y" },
      pool: { maxDevices },
      store: { type: "none" },
      log: { level: "warn" },
    },
  });
}

async function startService(url: string, qos: 0 | 1, features: number, maxDevices: number, onMessage: () => void): Promise<() => Promise<void>> {
  const service = new Service(serviceConfig(url, qos, features, maxDevices));
  service.events.on("reading", onMessage);
  service.start();
  await service.ready;
  return () => service.stop();
}

/** Feeds readings to a broker-less service in slices, so IPC stays responsive. */
function startDirect(features: number, maxDevices: number, onMessage: () => void) {
  const service = new Service(serviceConfig("mqtt://127.0.0.1:1", 1, features, maxDevices), {
    connect: false,
    publisher: { connected: true, publish() {} },
  });
  service.events.on("reading", onMessage);
  service.start();
  let offset = 0;
  const feed = async (n: number, devices: number, payloads: string[]): Promise<void> => {
    const bufs = payloads.map((p) => Buffer.from(p));
    const topics = Array.from({ length: Math.min(devices, 100_000) }, (_, i) => `sensors/dev-${i}`);
    for (let done = 0; done < n; ) {
      const end = Math.min(n, done + 2000);
      for (; done < end; done++, offset++) service.handle(topics[offset % devices], bufs[offset % bufs.length]);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { stop: () => service.stop(), feed };
}

async function main(): Promise<void> {
  const [mode, url, qosArg, featuresArg, maxDevicesArg] = process.argv.slice(2) as [Mode, string, string, string?, string?];
  const qos = Number(qosArg) === 1 ? 1 : 0;
  let count = 0;
  let lastNs = 0n;
  const onMessage = () => {
    count++;
    lastNs = process.hrtime.bigint();
  };
  const features = Number(featuresArg ?? 8);
  const maxDevices = Number(maxDevicesArg ?? 10000);
  const direct = mode === "direct" ? startDirect(features, maxDevices, onMessage) : undefined;
  const stop = direct ? direct.stop
    : mode === "bare" || mode === "echo" ? await startBare(url, qos, onMessage, mode === "echo")
    : await startService(url, qos, features, maxDevices, onMessage);
  process.on("message", (m: { cmd: string; n?: number; devices?: number; payloads?: string[] }) => {
    if (m.cmd === "feed" && direct) {
      void direct.feed(m.n ?? 0, m.devices ?? 1, m.payloads ?? ["{}"]).then(() => process.send!({ fed: m.n }));
    } else if (m.cmd === "count") {
      process.send!({ count, lastNs: String(lastNs), rss: 0, heapUsed: 0, heapTotal: 0 });
    } else if (m.cmd === "stats") {
      const mem = process.memoryUsage();
      const s: WorkerStats = { count, lastNs: String(lastNs), rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal };
      process.send!(s);
    } else if (m.cmd === "gc") {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ gc: true });
    } else if (m.cmd === "stop") {
      void stop().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true });
}

main().catch((e) => {
  process.stderr.write(`mqtt-worker: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
