// Mutual TLS end to end: a CA, broker and client certificates made with openssl; Mosquitto with
// a TLS listener that requires a client certificate; the service connects with mqtts:// and its
// certificate, refuses a broker whose certificate its CA did not sign, is refused by the broker
// with a certificate from another CA, and never logs key material or passwords.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { memoryLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { startMosquitto, requireMosquitto, freePort } from "../helpers/mosquitto.js";
import { makePki } from "../helpers/certs.js";
import { client, waitFor } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

test("mutual TLS: connects with a client certificate; an untrusted broker or client certificate never connects; no secret logged", async (t) => {
  if (!requireMosquitto(t)) return;
  const pki = makePki(tempDir("mtls"));
  const tlsPort = await freePort();
  const broker = await startMosquitto({ tls: { port: tlsPort, cafile: pki.ca, certfile: pki.serverCert, keyfile: pki.serverKey, requireCertificate: true } });
  t.after(() => broker.cleanup());
  const url = `mqtts://127.0.0.1:${tlsPort}`;
  const all: string[] = [];

  const start = (mqtt: Record<string, unknown>) => {
    const { logger, lines } = memoryLogger("debug");
    const config = loadConfig({
      env: {},
      overrides: {
        mqtt: { url, clientId: `edgelearn-mtls-${Math.random().toString(36).slice(2)}`, reconnect: { minDelayMs: 100, maxDelayMs: 200 }, ...mqtt },
        model: { task: "regression", target: "y", features: ["x"] },
        store: { type: "memory" },
      },
    });
    const s = startService(config, { logger, store: new MemoryStore() });
    t.after(() => s.stop());
    return { s, lines };
  };

  const ok = start({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
  await ok.s.ready;
  const tls = { ca: [readFileSync(pki.ca)], cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) };
  const sensor = await client(url, tls);
  await sensor.c.subscribeAsync({ "edgelearn/+/prediction": { qos: 0 } });
  for (let i = 0; i < 5; i++) await sensor.c.publishAsync("sensors/secure-1", JSON.stringify({ x: i, y: 2 * i }), { qos: 1 });
  await waitFor(() => sensor.got.length === 5, "predictions over mutual TLS");
  await sensor.c.endAsync();
  all.push(...ok.lines);

  // A client without a certificate, or with one from another CA, is refused by the broker.
  for (const bad of [{}, { cert: pki.otherClientCert, key: pki.otherClientKey }]) {
    const r = start({ ca: pki.ca, ...bad });
    await waitFor(() => r.lines.some((l) => /error/.test(l) && /broker/.test(l)), "the refusal in the log", 10_000);
    assert.equal(r.s.connection!.connected, false);
    all.push(...r.lines);
  }

  // A broker whose certificate our CA did not sign is refused by the service.
  const untrusted = start({ ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey });
  await waitFor(() => untrusted.lines.some((l) => /TLS|certificate/i.test(l)), "the TLS error in the log", 10_000);
  assert.equal(untrusted.s.connection!.connected, false);
  all.push(...untrusted.lines);

  // Nothing secret in any log line: no key material, no base64 of a key.
  const secrets = [pki.clientKey, pki.otherClientKey].flatMap((f) => readFileSync(f, "utf8").split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")));
  const leaked = all.filter((l) => /PRIVATE KEY/.test(l) || secrets.some((s) => l.includes(s)));
  assert.deepEqual(leaked, []);
});
