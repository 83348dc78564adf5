// Workers whose wall clocks are far from the NATS server's (a gateway without a real-time clock,
// before NTP): one an hour behind, one an hour ahead. They must still share the partitions, and
// when one is killed the other must take its partitions after a lease, not after an hour.
// (Workers count each other from the leases bucket, whose entries carry the server's time.)

import { test } from "node:test";
import { existsSync, readdirSync } from "node:fs";
import { requireNatsServer, startNatsCluster } from "../helpers/nats.js";
import { requireOrSkip } from "../helpers/require.js";
import { tempDir } from "../helpers/tmp.js";
import { writeWorkerConfig, spawnWorker, waitFor, kill, holding, type Worker } from "./harness.js";

const P = 8;

/** Debian's libfaketime (package faketime), under the machine's multiarch directory. */
function libfaketime(): string | undefined {
  for (const arch of readdirSync("/usr/lib")) {
    const p = `/usr/lib/${arch}/faketime/libfaketime.so.1`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

test("workers an hour behind and an hour ahead of the NATS server share partitions and take over from each other within seconds", { timeout: 120_000 }, async (t) => {
  const bin = requireNatsServer(t);
  const lib = libfaketime();
  if (!lib) requireOrSkip(t, "libfaketime (apt-get install faketime)");
  if (!bin || !lib) return;
  const nats = await startNatsCluster(bin, { nodes: 1, partitions: P });
  t.after(() => nats.stop());
  const dir = tempDir("cluster-clock-skew");
  const start = (name: string, offset: string) => {
    const w = spawnWorker(writeWorkerConfig(dir, { servers: nats.servers, name, partitions: P, replicas: 1 }), name, { libfaketime: lib, offset });
    t.after(() => kill(w, "SIGKILL"));
    return w;
  };
  const logs = (...ws: Worker[]) => ws.map((w) => `--- ${w.name} (holds ${holding(w)})\n${w.log().slice(-2500)}`).join("\n");

  const behind = start("behind", "-1h");
  await waitFor("the first worker to own every partition", () => holding(behind) === P, 30_000);
  const ahead = start("ahead", "+1h");
  await waitFor("the two to share the partitions", () => holding(behind) === P / 2 && holding(ahead) === P / 2, 30_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${logs(behind, ahead)}`);
  });

  kill(ahead, "SIGKILL");
  // leases of 3 s (the harness's): a lease and a round or two, far from an hour
  await waitFor("the worker an hour behind to take the killed one's partitions", () => holding(behind) === P, 15_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${logs(behind)}`);
  });
  kill(behind, "SIGTERM");
  await behind.exited;
});
