// A real Mosquitto for end-to-end tests: `mosquitto -c <generated conf>` as a child process on a
// free localhost port, waited for, and killed afterwards. Debian package `mosquitto` (installed by
// .ci/run). Without the binary the test is skipped, unless EDGELEARN_REQUIRE_ALL=1: then it fails.
//
//   const broker = await startMosquitto({ persistence: true });   // or requireMosquitto(t) first
//   ... broker.url ...
//   await broker.stop();        // SIGTERM (persistence saved), then SIGKILL if it hangs
//   await broker.start();       // same port, same persistence directory: a broker restart
//   await broker.kill();        // SIGKILL: a crash

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { findBinary, requireBinary } from "./require.js";

export interface MosquittoOptions {
  /** Keep sessions and queued messages across restarts (persistence file in `dir`). */
  persistence?: boolean;
  /** Directory for config, log and persistence (default: a new temp dir, removed by `cleanup`). */
  dir?: string;
  /** Port (default: a free one). */
  port?: number;
  /** Require a username and password from this file (made with `mosquitto_passwd`). */
  passwordFile?: string;
  /** A second listener with TLS on `port` (PEM files). */
  tls?: { port: number; cafile: string; certfile: string; keyfile: string; requireCertificate?: boolean };
  /** ACL file (acl_file). */
  aclFile?: string;
  /** Extra lines for mosquitto.conf. */
  extraConf?: string[];
  /** How long to wait for the port to accept connections (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface Mosquitto {
  url: string;
  port: number;
  dir: string;
  /** (Re)starts the broker on the same port and directory. */
  start(): Promise<void>;
  /** SIGTERM (Mosquitto saves persistence), SIGKILL after 3 s. */
  stop(): Promise<void>;
  /** SIGKILL at once. */
  kill(): Promise<void>;
  /** SIGSTOP: the broker stops answering but its connections stay open (an unreachable broker). */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** Stops and removes the directory if we created it. */
  cleanup(): Promise<void>;
  /** The broker's log so far. */
  log(): string;
}

/** The mosquitto binary, or undefined. */
export function mosquittoPath(): string | undefined {
  return findBinary("mosquitto");
}

/**
 * The binary, or: skips the test (returns undefined) when it is missing, unless
 * EDGELEARN_REQUIRE_ALL=1, in which case it throws (the test fails).
 */
export function requireMosquitto(t: TestContext): string | undefined {
  return requireBinary(t, "mosquitto", "apt-get install mosquitto");
}

/** Ports this process has handed out: the kernel may offer a port again as soon as it is closed
 * (seen: a nats-server given the same number for its client and MQTT listeners). */
const handedOut = new Set<number>();

/** A loopback port nobody listens on now and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tcpConnect({ port, host: "127.0.0.1" });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const bin = mosquittoPath();
  if (!bin) throw new Error("mosquitto is not installed");
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "edgelearn-mosquitto-"));
  const port = opts.port ?? (await freePort());
  const conf = join(dir, "mosquitto.conf");
  const logFile = join(dir, "mosquitto.log");
  const lines = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${opts.passwordFile ? "false" : "true"}`,
    ...(opts.passwordFile ? [`password_file ${opts.passwordFile}`] : []),
    `persistence ${opts.persistence ? "true" : "false"}`,
    ...(opts.persistence ? [`persistence_location ${dir}/`, "autosave_interval 1"] : []),
    `log_dest file ${logFile}`,
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "max_queued_messages 100000",
    "max_inflight_messages 100",
    // As root, Mosquitto would switch to the `mosquitto` user and could not write `dir`.
    ...(process.getuid?.() === 0 ? ["user root"] : []),
    ...(opts.tls
      ? [
          `listener ${opts.tls.port} 127.0.0.1`,
          `cafile ${opts.tls.cafile}`,
          `certfile ${opts.tls.certfile}`,
          `keyfile ${opts.tls.keyfile}`,
          ...(opts.tls.requireCertificate ? ["require_certificate true"] : []),
        ]
      : []),
    ...(opts.aclFile ? [`acl_file ${opts.aclFile}`] : []),
    ...(opts.extraConf ?? []),
  ];
  writeFileSync(conf, lines.join("\n") + "\n");
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const c = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr!.on("data", (b) => (stderr += b));
    exited = new Promise((r) => c.once("exit", () => r()));
    child = c;
    const deadline = Date.now() + (opts.startTimeoutMs ?? 5000);
    while (Date.now() < deadline) {
      if (c.exitCode !== null) throw new Error(`mosquitto exited with ${c.exitCode}: ${stderr}${readLog()}`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    c.kill("SIGKILL");
    throw new Error(`mosquitto did not accept connections on ${port} within the timeout: ${stderr}${readLog()}`);
  };
  const readLog = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill("SIGCONT"); // a frozen broker cannot act on SIGTERM
    c.kill(sig);
    const t = setTimeout(() => c.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    start,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    freeze: () => void child?.kill("SIGSTOP"),
    thaw: () => void child?.kill("SIGCONT"),
    cleanup: async () => {
      await signal("SIGTERM");
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}
