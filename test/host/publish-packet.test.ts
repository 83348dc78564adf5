// The QoS 0 fast path must put the same bytes on the wire as MQTT.js (mqtt-packet) would.

import { test } from "node:test";
import assert from "node:assert/strict";
import mqttPacket from "mqtt-packet";
import { publishQos0, topicBytes } from "../../host/mqtt/publish-packet.js";

const reference = (topic: string, payload: string, protocolVersion: 4 | 5): Buffer =>
  mqttPacket.generate({ cmd: "publish", topic, payload, qos: 0, dup: false, retain: false }, { protocolVersion });

test("publishQos0 is byte-identical to mqtt-packet's PUBLISH, MQTT 3.1.1 and 5, every length class", () => {
  const topics = ["edgelearn/dev-1/prediction", "e/ü-ñ/prediction", `edgelearn/${"d".repeat(300)}/prediction`];
  const payloads = ["", '{"ts":1,"prediction":2.5,"flags":["learned","predicted"]}', "é".repeat(100), "x".repeat(20000), "y".repeat(2_100_000)];
  for (const v of [4, 5] as const) {
    for (const t of topics) {
      for (const p of payloads) {
        assert.deepEqual(publishQos0(topicBytes(t), p, v), reference(t, p, v), `v${v} topic ${t.length} payload ${p.length}`);
      }
    }
  }
});
