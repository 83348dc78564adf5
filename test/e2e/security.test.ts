// Username/password and TLS (mqtts:// with a CA file) against a real Mosquitto.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { makePki } from "../helpers/certs.js";
import { writeFileSync, chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { startService } from "../../host/service/index.js";
import { memoryLogger } from "../../host/logger.js";
import { MemoryStore } from "../../host/store/memory.js";
import { startMosquitto, requireMosquitto, freePort } from "../helpers/mosquitto.js";
import { client, waitFor } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

test("TLS with a CA file and username/password; wrong credentials and an unknown CA are reported, never connected", async (t) => {
  if (!requireMosquitto(t)) return;
  const dir = tempDir("tls");
  const pki = makePki(dir);
  const certs = { ca: pki.ca, cert: pki.serverCert, key: pki.serverKey, otherCa: pki.otherCa };
  const pw = join(dir, "passwd");
  writeFileSync(pw, "");
  execFileSync("mosquitto_passwd", ["-b", pw, "gateway", "s3cret-pass"]);
  chmodSync(pw, 0o644);
  const tlsPort = await freePort();
  const broker = await startMosquitto({ passwordFile: pw, tls: { port: tlsPort, cafile: certs.ca, certfile: certs.cert, keyfile: certs.key } });
  t.after(() => broker.cleanup());
  const pwFile = join(dir, "edgelearn-password");
  writeFileSync(pwFile, "s3cret-pass\n");

  const start = (mqtt: Record<string, unknown>) => {
    const { logger, lines } = memoryLogger("info");
    const config = loadConfig({
      env: {},
      overrides: {
        mqtt: { clientId: `edgelearn-tls-${Math.random().toString(36).slice(2)}`, reconnect: { minDelayMs: 100, maxDelayMs: 200 }, ...mqtt },
        model: { task: "regression", target: "y", features: ["x"] },
        store: { type: "memory" },
      },
    });
    const s = startService(config, { logger, store: new MemoryStore() });
    t.after(() => s.stop());
    return { s, lines };
  };

  const ok = start({ url: `mqtts://127.0.0.1:${tlsPort}`, ca: certs.ca, username: "gateway", passwordFile: pwFile });
  await ok.s.ready;
  const pub = await client(`mqtts://127.0.0.1:${tlsPort}`, { ca: [readFileSync(certs.ca)], username: "gateway", password: "s3cret-pass" });
  await pub.c.subscribeAsync({ "edgelearn/+/prediction": { qos: 0 } });
  for (let i = 0; i < 5; i++) await pub.c.publishAsync("sensors/secure-1", JSON.stringify({ x: i, y: 2 * i }), { qos: 1 });
  await waitFor(() => pub.got.length === 5, "predictions over TLS");
  assert.ok(!ok.lines.some((l) => l.includes("s3cret")), "the password is never logged");
  await pub.c.endAsync();

  const badPass = start({ url: broker.url, username: "gateway", password: "wrong" });
  await waitFor(() => badPass.lines.some((l) => l.includes("refused the credentials")), "credential error in the log");
  assert.ok(!badPass.lines.some((l) => l.includes("wrong")), "the password is never logged");

  const badCa = start({ url: `mqtts://127.0.0.1:${tlsPort}`, ca: certs.otherCa, username: "gateway", passwordFile: pwFile });
  await waitFor(() => badCa.lines.some((l) => /TLS|certificate/i.test(l)), "TLS error in the log");
  assert.equal(badCa.s.connection!.connected, false);
});
