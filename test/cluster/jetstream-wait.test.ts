// Joining a cluster whose JetStream does not answer, or is off: a slow or still-starting cluster is
// a runtime failure (exit 1, restarted by the systemd unit), JetStream disabled on the server a
// configuration error (exit 2, not restarted). Both after the join's wait (short here).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import { ConfigError, loadConfig } from "../../host/config/load.js";
import { joinCluster } from "../../host/cluster/nats.js";
import { requireNatsServer } from "../helpers/nats.js";
import { freePort } from "../helpers/mosquitto.js";
import { tempDir } from "../helpers/tmp.js";

/** nats-server with `args` on a free port, stopped after the test; its nats:// URL. */
async function natsServer(t: { after(f: () => void): void }, bin: string, args: string[]): Promise<string> {
  const port = await freePort();
  const proc = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), ...args], { stdio: "ignore" });
  t.after(() => void proc.kill("SIGKILL"));
  return `nats://127.0.0.1:${port}`;
}

async function join(url: string, waitMs: number): Promise<unknown> {
  const config = loadConfig({ env: {}, overrides: { cluster: { servers: [url], name: "w", partitions: 8, replicas: 1 } } });
  // Waits for the server to listen (it was just spawned).
  const nc = await connect({ servers: [url], waitOnFirstConnect: true, timeout: 10_000 });
  try {
    await joinCluster(nc, config.cluster, "sensors", waitMs);
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await nc.close();
  }
}

test("JetStream not answering within the wait (one node of three up, no meta leader): a runtime failure, not a configuration error", async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const [route, other1, other2] = await Promise.all([freePort(), freePort(), freePort()]);
  const routes = [route, other1, other2].map((p) => `nats://127.0.0.1:${p}`).join(",");
  const url = await natsServer(t, bin, ["-n", "n1", "-js", "-sd", tempDir("js-wait"), "--cluster_name", "c", "--cluster", `nats://127.0.0.1:${route}`, "--routes", routes]);
  const e = await join(url, 2000);
  assert.ok(e instanceof Error, "joined a cluster without a meta leader");
  // It was a ConfigError (exit 2), which the systemd unit never restarts: a worker started before
  // the other nodes at boot stayed down for good.
  assert.ok(!(e instanceof ConfigError), `a configuration error: ${(e as Error).message}`);
  assert.match(e.message, /^cluster: JetStream did not answer within 2 s: /);
});

test("JetStream disabled on the server: a configuration error naming cluster.servers", async (t) => {
  const bin = requireNatsServer(t);
  if (!bin) return;
  const url = await natsServer(t, bin, []);
  const e = await join(url, 1000);
  assert.ok(e instanceof ConfigError, `not a configuration error: ${e}`);
  assert.match(e.message, /cluster\.servers: JetStream is not enabled on the NATS servers/);
});
