// Small helpers for end-to-end tests with a real MQTT.js client.

import { connectAsync, type MqttClient, type IClientOptions, type IPublishPacket } from "mqtt";

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
  packet: IPublishPacket;
}

/** Polls `pred` until true or the timeout (then throws with `what`). */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;

/** A connected client that records every message it receives. */
export async function client(url: string, opts: IClientOptions = {}): Promise<{ c: MqttClient; got: Received[]; json: (topic: string) => any[] }> {
  const c = await connectAsync(url, { clientId: `test-${process.pid}-${++seq}`, protocolVersion: 5, reconnectPeriod: 0, ...opts });
  const got: Received[] = [];
  c.on("message", (topic, payload, packet) => got.push({ topic, text: payload.toString(), retain: packet.retain, packet }));
  const json = (topic: string) => got.filter((m) => m.topic === topic).map((m) => JSON.parse(m.text));
  return { c, got, json };
}
