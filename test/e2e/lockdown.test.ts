// The supported Mosquitto lock-down (deploy/mosquitto/edgelearn.acl, docs/SECURITY.md) against
// a real broker: sensor accounts publish only to sensors/<their name> and read nothing;
// edgelearn's account reads sensors/+ and writes edgelearn/#; only an operator may command;
// a dashboard account reads health but never the per-reading predictions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { memoryLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { startMosquitto, requireMosquitto } from "../helpers/mosquitto.js";
import { client, waitFor } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("ACL lock-down: sensors write only their own topic and read nothing; only the operator commands", async (t) => {
  if (!requireMosquitto(t)) return;
  const dir = tempDir("lockdown");
  const pw = join(dir, "passwd");
  writeFileSync(pw, "");
  const accounts = ["edgelearn", "operator", "dashboard", "meter-1", "meter-2"];
  for (const a of accounts) execFileSync("mosquitto_passwd", ["-b", pw, a, `pw-${a}`]);
  chmodSync(pw, 0o644);
  const broker = await startMosquitto({ passwordFile: pw, aclFile: join(process.cwd(), "deploy/mosquitto/edgelearn.acl") });
  t.after(() => broker.cleanup());
  const as = (user: string) => client(broker.url, { username: user, password: `pw-${user}` });

  const { logger, lines } = memoryLogger("info");
  const config = loadConfig({
    env: {},
    overrides: {
      mqtt: { url: broker.url, clientId: `edgelearn-lockdown-${process.pid}`, username: "edgelearn", password: "pw-edgelearn" },
      model: { task: "regression", target: "y", features: ["x"] },
      store: { type: "memory" },
    },
  });
  const s = startService(config, { logger, store: new MemoryStore() });
  t.after(() => s.stop());
  await s.ready; // its subscriptions (sensors/+ and the command topics) were granted

  const operator = await as("operator");
  await operator.c.subscribeAsync({ "edgelearn/#": { qos: 1 } });
  const dashboard = await as("dashboard");
  await dashboard.c.subscribeAsync({ "edgelearn/+/health": { qos: 1 }, "edgelearn/+/prediction": { qos: 0 } });
  const meter1 = await as("meter-1");
  // a sensor reads nothing: its subscriptions are refused or deliver nothing
  const granted = await meter1.c.subscribeAsync({ "#": { qos: 1 }, "sensors/+": { qos: 1 }, "edgelearn/#": { qos: 1 } });
  t.diagnostic(`sensor subscription answers: ${granted.map((g) => g.qos).join(", ")}`);

  for (let i = 0; i < 40; i++) await meter1.c.publishAsync("sensors/meter-1", JSON.stringify({ x: i, y: 2 * i + 1 }), { qos: 1 });
  // another device's topic and the command topics are not meter-1's to write
  await meter1.c.publishAsync("sensors/meter-2", JSON.stringify({ x: 1, y: 3 }), { qos: 1 }).catch(() => {});
  await meter1.c.publishAsync("edgelearn/meter-1/cmd", "reset", { qos: 1 }).catch(() => {});
  await meter1.c.publishAsync("edgelearn/cmd", JSON.stringify({ cmd: "reset", device: "meter-1" }), { qos: 1 }).catch(() => {});
  // neither is the dashboard's
  await dashboard.c.publishAsync("edgelearn/meter-1/cmd", "reset", { qos: 1 }).catch(() => {});
  await waitFor(() => s.pool.get("meter-1")?.meta.readings === 40, "meter-1's readings learned");
  await sleep(300);
  assert.equal(s.pool.get("meter-2"), undefined, "meter-1 could not publish as meter-2");
  assert.equal(s.pool.get("meter-1")!.meta.learned, 40, "no reset from a sensor or a dashboard");
  assert.ok(!lines.some((l) => /command reset/.test(l)), lines.join("\n"));
  assert.ok(!operator.got.some((m) => m.topic.endsWith("/reply")), "nobody but the operator got an answer");

  // the operator commands and reads the reply
  await operator.c.publishAsync("edgelearn/meter-1/cmd", "health", { qos: 1 });
  await waitFor(() => operator.got.some((m) => m.topic === "edgelearn/meter-1/reply"), "the operator's reply");
  assert.equal(JSON.parse(operator.got.find((m) => m.topic === "edgelearn/meter-1/reply")!.text).health.readings, 40);
  assert.ok(operator.got.some((m) => m.topic === "edgelearn/meter-1/prediction"), "the operator reads predictions");

  s.publishHealth(true);
  await waitFor(() => dashboard.got.some((m) => m.topic === "edgelearn/meter-1/health"), "the dashboard's health");
  assert.ok(!dashboard.got.some((m) => m.topic.endsWith("/prediction")), "a dashboard never gets per-reading predictions");
  assert.deepEqual(meter1.got, [], "a sensor account reads nothing");
  for (const c of [operator, dashboard, meter1]) await c.c.endAsync();
});
