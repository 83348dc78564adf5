// The rollback guard inside the service (no broker): a burst of miscalibrated readings is rolled
// back when it ends, the rollback is published on the device's retained health with its count,
// checkpoints during the burst are not known-good, and the manual command counts too.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IClientPublishOptions } from "mqtt";
import { startService } from "../../host/service/index.js";
import { MemoryStore } from "../../host/store/memory.js";
import { memoryLogger } from "../../host/logger.js";
import { burstConfig, burstDriver } from "./miscalibrated-feed.js";

test("service + guard: a bad-data burst is rolled back when it ends and published on health", async () => {
  const sent: { topic: string; payload: string; opts: IClientPublishOptions }[] = [];
  const publisher = { connected: true, publish: (topic: string, payload: string | Buffer, opts: IClientPublishOptions) => void sent.push({ topic, payload: String(payload), opts }) };
  const config = burstConfig("memory");
  const store = new MemoryStore({ history: 4 });
  const { logger, lines } = memoryLogger("info");
  const service = startService(config, { connect: false, publisher, logger, store });
  const { send, errors } = burstDriver(() => service, sent);
  let i = 0;
  for (; i < 4000; i++) send(i, false);
  const burstStart = store.candidates("m")[0].meta.seq;
  for (; i < 6000; i++) send(i, true);
  const duringBurst = store.candidates("m").filter((c) => c.meta.seq > burstStart + 1);
  assert.ok(duringBurst.length > 0 && duringBurst.every((c) => !c.meta.knownGood), "checkpoints of the burst are not known-good");
  for (; i < 7000; i++) send(i, false);
  service.publishHealth(true);
  const health = sent.filter((m) => m.topic === "edgelearn/m/health").map((m) => JSON.parse(m.payload));
  const h = health.at(-1)!;
  assert.ok(h.rollbacks >= 2, JSON.stringify(h));
  assert.equal(h.last_rollback.reason, "guard");
  assert.ok(h.guard && h.last_known_good, JSON.stringify(h));
  assert.ok(sent.filter((m) => m.topic === "edgelearn/m/health").every((m) => m.opts.retain));
  assert.ok(lines.some((l) => /rolled back to checkpoint/.test(l)));
  const mean = (a: number, b: number) => errors.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);
  const pre = mean(3500, 4000);
  assert.ok(mean(6050, 6300) < 1.3 * pre, `after the burst ${mean(6050, 6300)} vs before ${pre}`);

  // The manual command counts as a rollback too.
  const before = h.rollbacks;
  service.handle("edgelearn/m/cmd", Buffer.from(JSON.stringify({ cmd: "rollback" })));
  service.publishHealth(true);
  const h2 = JSON.parse(sent.filter((m) => m.topic === "edgelearn/m/health").at(-1)!.payload);
  assert.equal(h2.rollbacks, before + 1);
  assert.equal(h2.last_rollback.reason, "command");
  await service.stop();
});
