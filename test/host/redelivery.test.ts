// A reading the broker redelivers (MQTT DUP flag) after we learned it, because our PUBACK was lost
// (e.g. the broker restarted), is refused as `duplicate` when its own timestamp is not after the
// device's last learned reading; without a timestamp, or newer, it is learned as usual.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { Service } from "../../host/service/service.js";
import { memoryLogger } from "../../host/logger.js";

test("redelivered readings already learned are refused as duplicate", async () => {
  const config = loadConfig({ env: {}, overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "none" } } });
  const s = new Service(config, { connect: false, publisher: { connected: true, publish() {} }, logger: memoryLogger("error").logger }).start();
  const deliver = (body: object, dup: boolean) =>
    (s as unknown as { onPacket(p: Partial<IPublishPacket>, done: () => void): void }).onPacket(
      { cmd: "publish", topic: "sensors/m1", payload: Buffer.from(JSON.stringify(body)), qos: 1, dup, retain: false },
      () => {},
    );
  for (let i = 1; i <= 10; i++) deliver({ ts: 1000 + i, a: i, y: 2 * i }, false);
  deliver({ ts: 1009, a: 9, y: 18 }, true); // learned before: refused
  deliver({ ts: 1010, a: 10, y: 20 }, true); // the last one: refused
  deliver({ ts: 1011, a: 11, y: 22 }, true); // a redelivery never learned: learned
  deliver({ a: 12, y: 24 }, true); // no timestamp: cannot tell, learned
  deliver({ ts: 1005, a: 5, y: 10 }, false); // out of order but not a redelivery: learned
  const st = s.pool.get("m1")!.meta;
  assert.equal(st.learned, 13);
  assert.equal(st.rejectedObject().duplicate, 2);
  await s.stop();
});
