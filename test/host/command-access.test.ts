// The edgelearn-side command switch (config `commands`), for brokers without ACLs: commands off,
// or accepted only with the required MQTT 5 user properties; refused commands change nothing,
// get no answer, are counted; property values never reach the log. A response topic under the
// input topics is not used (the service would read its own reply as a reading).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";
import { commandRefusal } from "../../host/service/command-access.js";

function setup(commands: Record<string, unknown>) {
  const sent: { topic: string; payload: string }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer) => void sent.push({ topic, payload: String(payload) }) };
  const config = loadConfig({ env: {}, overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "memory" }, commands } });
  const { logger, lines } = memoryLogger("debug");
  const s = new Service(config, { connect: false, publisher, logger, store: new MemoryStore() }).start();
  for (let i = 0; i < 40; i++) s.handle("sensors/m1", Buffer.from(JSON.stringify({ a: i, y: 2 * i })));
  const cmd = (payload: string, userProperties?: Record<string, string | string[]>, responseTopic?: string) =>
    s.handle("edgelearn/m1/cmd", Buffer.from(payload), false, { ...(userProperties ? { userProperties } : {}), ...(responseTopic ? { responseTopic } : {}) });
  const replies = () => sent.filter((m) => m.topic.endsWith("/reply") || m.topic.startsWith("app/"));
  return { s, cmd, replies, lines, sent };
}

test("commands.enabled false: every command refused and counted, nothing changes, no reply", async () => {
  const { s, cmd, replies } = setup({ enabled: false });
  cmd("reset");
  cmd(JSON.stringify({ cmd: "snapshot" }));
  assert.equal(s.pool.get("m1")!.meta.learned, 40);
  assert.equal(s.counters.refused.bad_command, 2);
  assert.deepEqual(replies(), []);
  await s.stop();
});

test("commands.requireUserProperties: accepted only with an allowed value; values never logged", async () => {
  const secret = "tok-5f3a9c1e7b";
  const { s, cmd, replies, lines } = setup({ requireUserProperties: { operator: ["alice", "bob"], token: [secret] } });
  cmd("health");
  cmd("health", { operator: "mallory", token: secret });
  cmd("health", { operator: "alice", token: "guess" });
  cmd("health", { operator: "alice" });
  assert.equal(s.counters.refused.bad_command, 4);
  assert.deepEqual(replies(), []);
  cmd("health", { operator: "bob", token: secret });
  cmd("health", { operator: ["x", "alice"], token: secret }); // a repeated property: any value may match
  assert.equal(replies().length, 2);
  assert.equal(JSON.parse(replies()[0].payload).ok, true);
  const log = lines.join("\n");
  for (const v of [secret, "guess", "mallory"]) assert.ok(!log.includes(v), `${v} in the log`);
  assert.match(log, /command on edgelearn\/m1\/cmd refused: not allowed: user property "\w+" missing or not accepted/); // rate-limited: the first refusal
  await s.stop();
});

test("a response topic under the input topics is not used; the default reply topic is", async () => {
  const { s, cmd, sent } = setup({});
  cmd("health", undefined, "sensors/m1");
  assert.ok(!sent.some((m) => m.topic.startsWith("sensors/")));
  assert.ok(sent.some((m) => m.topic === "edgelearn/m1/reply"));
  cmd("health", undefined, "app/replies/1");
  assert.ok(sent.some((m) => m.topic === "app/replies/1"));
  assert.equal(s.pool.get("m1")!.meta.readings, 40);
  await s.stop();
});

test("commandRefusal: defaults accept everything", () => {
  assert.equal(commandRefusal({ enabled: true, requireUserProperties: {} }, undefined), undefined);
  assert.match(commandRefusal({ enabled: true, requireUserProperties: { a: ["1"] } }, { userProperties: { a: "2" } })!, /"a"/);
});
