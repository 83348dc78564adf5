// `edgelearn/service` as a program embedding it uses it: `startApp` runs what `edgelearn run` runs,
// so with http enabled the embedded service answers /metrics, the probes and the dashboard.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as api from "../../host/api/service.js";

test("the package's edgelearn/service entry point exports startApp (the same function this test types against)", async () => {
  const name = "edgelearn/service"; // resolved through package.json's exports, as a user's import is
  const entry = (await import(name)) as typeof api;
  assert.equal(typeof entry.startApp, "function");
  assert.equal(entry.startApp, api.startApp);
  assert.equal(typeof entry.startService, "function");
  // A program that opens its own store tells a damaged file (moved aside) from a busy one by this class.
  assert.equal(entry.StoreOpenError, api.StoreOpenError);
  assert.equal(typeof entry.StoreOpenError, "function");
  // startApp's failure to listen on http.listen, told from others by this class.
  assert.equal(entry.ListenError, api.ListenError);
  assert.equal(typeof entry.ListenError, "function");
});

test("startApp with http enabled serves /metrics and the probes; stop closes them", async () => {
  const config = api.loadConfig({
    env: {},
    overrides: {
      model: { task: "regression", target: "y", features: ["a"] },
      store: { type: "memory" },
      http: { listen: "127.0.0.1:0" },
    },
  });
  const app = await api.startApp(config, { logger: api.silentLogger, connect: false });
  let stopped = false;
  try {
    assert.ok(app.http, "the HTTP server runs");
    for (let i = 0; i < 5; i++) app.service.handle(`${config.topics.input}/embedded-1`, Buffer.from(JSON.stringify({ a: i, y: 2 * i })));
    const res = await fetch(`${app.http.url}metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^edgelearn_readings_total 5$/m);
    assert.equal((await fetch(`${app.http.url}healthz`)).status, 200);
    const url = app.http.url;
    await app.stop();
    stopped = true;
    await assert.rejects(fetch(`${url}healthz`), "the server is closed");
  } finally {
    if (!stopped) await app.stop();
  }
});

test("startApp and startService refuse a cluster worker's configuration instead of running a single host beside the workers", async () => {
  const config = api.loadConfig({
    env: {},
    overrides: { model: { task: "regression", target: "y", features: ["a"] }, store: { type: "memory" }, cluster: { servers: ["nats://127.0.0.1:4222"] } },
  });
  await assert.rejects(api.startApp(config, { logger: api.silentLogger, connect: false }), (e: Error) => e instanceof api.ConfigError && /cluster mode is started by `edgelearn run`/.test(e.message));
  assert.throws(() => api.startService(config, { logger: api.silentLogger, connect: false }), api.ConfigError);
});
