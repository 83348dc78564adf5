// Real nats-server clusters for tests: N nodes with JetStream, an MQTT listener on each and the
// partition mapping, as child processes on free loopback ports with their own config files and
// data directories under a temp dir (never the system's nats-server service). Debian package
// `nats-server` (installed by .ci/run). Without the binary the test is skipped, unless
// EDGELEARN_REQUIRE_ALL=1: then it fails.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { freePort } from "./mosquitto.js";
import { findBinary, requireBinary } from "./require.js";
import { tempDir } from "./tmp.js";

export function natsServerPath(): string | undefined {
  return findBinary("nats-server");
}

export function requireNatsServer(t: TestContext): string | undefined {
  return requireBinary(t, "nats-server", "apt-get install nats-server");
}

export interface NatsNode {
  name: string;
  port: number;
  mqttPort: number;
  url: string;
  mqttUrl: string;
  proc: ChildProcess | undefined;
  kill(): Promise<void>;
  log(): string;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** nats://... of every node. */
  servers: string[];
  dir: string;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  nodes: number;
  partitions: number;
  /** MQTT input prefix (topics.input) and reading subject (cluster.subject). */
  input?: string;
  subject?: string;
}

/** Starts the nodes and waits until JetStream answers (its meta leader elected). A port taken
 * by another process between choosing it and the server binding it means new ports, twice. */
export async function startNatsCluster(bin: string, o: NatsClusterOptions): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsOnce(bin, o);
    } catch (e) {
      if (attempt >= 3 || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startNatsOnce(bin: string, o: NatsClusterOptions): Promise<NatsCluster> {
  const dir = tempDir("nats");
  const input = o.input ?? "sensors";
  const subject = o.subject ?? "edgelearn_in";
  const ports = await Promise.all(Array.from({ length: o.nodes }, async () => ({ client: await freePort(), route: await freePort(), mqtt: await freePort() })));
  const nodes: NatsNode[] = ports.map((pt, i) => {
    const name = `n${i + 1}`;
    const store = join(dir, name);
    mkdirSync(store, { recursive: true });
    const routes = ports.filter((_, j) => j !== i).map((q) => `nats-route://127.0.0.1:${q.route}`);
    const conf = [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${pt.client}`,
      `jetstream { store_dir: "${store}", max_memory_store: 256MB, max_file_store: 2GB }`,
      `mqtt { listen: 127.0.0.1:${pt.mqtt} }`,
      `mappings = { "${input}.*": "${subject}.{{partition(${o.partitions},1)}}.{{wildcard(1)}}" }`,
      ...(o.nodes > 1 ? [`cluster { name: edgelearn_test, listen: 127.0.0.1:${pt.route}, routes: [${routes.join(", ")}] }`] : []),
    ].join("\n");
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, conf + "\n");
    const logFile = join(dir, `${name}.log`);
    const node: NatsNode = {
      name,
      port: pt.client,
      mqttPort: pt.mqtt,
      url: `nats://127.0.0.1:${pt.client}`,
      mqttUrl: `mqtt://127.0.0.1:${pt.mqtt}`,
      proc: spawn(bin, ["-c", file, "-l", logFile], { stdio: "ignore" }),
      async kill() {
        const p = node.proc;
        node.proc = undefined;
        if (p && p.exitCode === null) {
          const gone = new Promise((r) => p.once("exit", r));
          p.kill("SIGKILL");
          await gone;
        }
      },
      log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    };
    return node;
  });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
  };
  try {
    for (const n of nodes) await waitPort(n.port, 15_000);
    await waitJetStream(nodes.map((n) => n.url), 30_000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${nodes.map((n) => n.log().slice(-2000)).join("\n")}`);
  }
  return { nodes, servers: nodes.map((n) => n.url), dir, stop };
}

function waitPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = tcpConnect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`nats-server did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

async function waitJetStream(servers: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  const nc = await connect({ servers });
  try {
    for (;;) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        await jsm.getAccountInfo();
        return;
      } catch (e) {
        if (Date.now() > until) throw new Error(`JetStream not ready: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await nc.close();
  }
}
