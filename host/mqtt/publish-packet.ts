// A QoS 0 PUBLISH packet encoded straight into one Buffer: fixed header, topic, (MQTT 5: an empty
// property list), payload. The same bytes mqtt-packet writes for {qos: 0, retain: false, dup:
// false} without properties, in one allocation and one socket write instead of MQTT.js's packet
// object, topic-alias check and four small writes. Used for predictions, the per-reading output.

/** A topic prepared once per device: its UTF-8 bytes with the 2-byte length in front. */
export function topicBytes(topic: string): Buffer {
  const t = Buffer.from(topic, "utf8");
  const b = Buffer.allocUnsafe(2 + t.length);
  b.writeUInt16BE(t.length, 0);
  t.copy(b, 2);
  return b;
}

/** The PUBLISH packet (QoS 0, no retain, no properties) for a prepared topic and a payload string. */
export function publishQos0(topic: Buffer, payload: string, protocolVersion: 4 | 5): Buffer {
  const p = Buffer.byteLength(payload, "utf8");
  const rest = topic.length + (protocolVersion === 5 ? 1 : 0) + p;
  const lenBytes = rest < 0x80 ? 1 : rest < 0x4000 ? 2 : rest < 0x200000 ? 3 : 4;
  const b = Buffer.allocUnsafe(1 + lenBytes + rest);
  b[0] = 0x30;
  let o = 1;
  let n = rest;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n > 0) byte |= 0x80;
    b[o++] = byte;
  } while (n > 0);
  o += topic.copy(b, o);
  if (protocolVersion === 5) b[o++] = 0; // property length
  b.write(payload, o, "utf8");
  return b;
}
