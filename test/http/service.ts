// What the HTTP tests share: a running service with its HTTP server on free ports (embedded
// broker, memory store), readings for it, and a reader of the dashboard's event stream.

import { request } from "node:http";
import { connectAsync } from "mqtt";
import { loadConfig } from "../../host/config/load.js";
import { memoryLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { startApp, type RunningApp } from "../../host/app/start.js";

export const TOKEN = "test-token-0123456789";

/** A service with `http` settings over a loopback listen, and `extra` top-level settings. */
export async function setup(http: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const broker = await startBroker(0);
  const config = loadConfig({
    env: {},
    overrides: {
      mqtt: { url: broker.url, protocolVersion: 4, clientId: `http-test-${process.pid}`, reconnect: { minDelayMs: 50, maxDelayMs: 200 } },
      model: { task: "regression", target: "y", features: ["a", "b"] },
      store: { type: "memory", checkpoint: { everyReadings: 50 } },
      output: { healthIntervalSeconds: 1 },
      http: { listen: "127.0.0.1:0", ...http },
      ...extra,
    },
  });
  const { logger, lines } = memoryLogger("info");
  const running: RunningApp = await startApp(config, { logger, store: new MemoryStore() });
  await running.service.ready;
  const base = running.http!.url;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path.replace(/^\//, ""), { headers });
  const stop = async () => {
    await running.stop();
    await broker.close();
  };
  return { broker, running, service: running.service, base, get, stop, lines };
}

export const reading = (i: number) => JSON.stringify({ a: i % 7, b: i % 3, y: 2 * (i % 7) - (i % 3) });

/** `n` readings of `device` over MQTT (QoS 1: each acknowledged before the next). */
export async function publish(url: string, device: string, n: number) {
  const c = await connectAsync(url, { protocolVersion: 4, clientId: `pub-${process.pid}-${device}` });
  for (let i = 0; i < n; i++) await c.publishAsync(`sensors/${device}`, reading(i), { qos: 1 });
  await c.endAsync();
}

/**
 * A request with the headers given, Host included (fetch sets Host itself): its status, headers
 * and body. A stream's body is whatever arrived within `ms`.
 */
export function rawRequest(base: string, path: string, headers: Record<string, string>, method = "GET", ms = 300) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(new URL(path.replace(/^\//, ""), base), { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      const done = () => resolve({ status: res.statusCode!, headers: res.headers, body });
      res.on("end", done);
      setTimeout(() => {
        req.destroy();
        done();
      }, ms).unref();
    });
    req.on("error", reject);
    req.end();
  });
}

export interface StreamEvent {
  event: string;
  data: any;
}

/** Opens /api/stream?`query` and collects its events until `close()`. */
export async function openStream(base: string, query: string, headers: Record<string, string> = {}) {
  const ctl = new AbortController();
  const res = await fetch(`${base}api/stream?${query}`, { signal: ctl.signal, headers });
  const events: StreamEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (ev && data) events.push({ event: ev[1], data: JSON.parse(data[1]) });
      }
    }
  })();
  const close = async () => {
    ctl.abort();
    await pump;
  };
  /** Every point of the stream's `points` events so far. */
  const points = () => events.filter((e) => e.event === "points").flatMap((e) => e.data.points);
  return { res, events, points, close };
}
