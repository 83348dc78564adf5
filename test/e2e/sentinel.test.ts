// Raw data is discarded: `edgelearn run` (a child process, SQLite store, debug logging) learns from
// readings carrying unique sentinel values, then every file it wrote (store, WAL, logs) and every
// retained message on the broker is searched for them, as text and as float64 bytes.
//
// Not searched as float32 bytes: the module's guard keeps, by design, the value at the start of a
// run of equal values (stuck-sensor detection) inside the state blob, so a checkpoint may hold the
// f32 of a recent reading. That is model state, not a stored reading; README.md "How data flows" says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync, readdirSync, readFileSync, statSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { startMosquitto, requireMosquitto } from "../helpers/mosquitto.js";
import { client, waitFor } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/tmp.js";

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

function f64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
}

test("sentinel values never reach disk, logs or retained messages", async (t) => {
  if (!requireMosquitto(t)) return;
  const broker = await startMosquitto();
  t.after(() => broker.cleanup());
  const dir = tempDir("sentinel");
  const cfgDir = tempDir("sentinel-cfg");
  const cfg = join(cfgDir, "edgelearn.yaml");
  writeFileSync(
    cfg,
    [
      "mqtt:",
      `  url: ${broker.url}`,
      `  clientId: edgelearn-sentinel-${process.pid}`,
      "output:",
      "  healthIntervalSeconds: 1",
      // no HTTP server: the default port may be held by another process on the machine
      "http:",
      "  enabled: false",
      "model:",
      "  task: anomaly",
      "devices:",
      "  - match: meter-*",
      "    task: regression",
      "    features: [voltage, current]",
      "    target: power",
      "store:",
      "  type: sqlite",
      `  path: ${join(dir, "state", "edgelearn.db")}`,
      "  checkpoint:",
      "    everyReadings: 20",
      "log:",
      "  level: debug",
      "",
    ].join("\n"),
  );
  const out = openSync(join(dir, "stdout.log"), "w");
  const err = openSync(join(dir, "stderr.log"), "w");
  const child = spawn(process.execPath, [join(process.cwd(), "bin/edgelearn.js"), "run", "--config", cfg], {
    cwd: dir,
    stdio: ["ignore", out, err],
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  t.after(() => child.kill("SIGKILL"));

  const c = await client(broker.url);
  await c.c.subscribeAsync({ "edgelearn/#": { qos: 1 } });
  await waitFor(() => c.got.some((m) => m.topic === "edgelearn/status" && m.text === "online"), "the service online", 10000);

  const sentinels: number[] = [];
  const strings: string[] = [];
  const pub = async (topic: string, body: unknown) =>
    c.c.publishAsync(topic, typeof body === "string" ? body : JSON.stringify(body), { qos: 1 });
  for (let i = 0; i < 60; i++) {
    const v = 200 + i + 0.918273645;
    const a = 1 + i / 100 + 0.000837261;
    const p = v * a + 0.000192837;
    sentinels.push(v, a, p);
    const label = `SENTINEL-LABEL-${i}-q8z`;
    strings.push(label);
    await pub("sensors/meter-1", { voltage: v, current: a, power: p, label });
  }
  // flat and SenML to an anomaly device, bad payloads carrying sentinels
  for (let i = 0; i < 30; i++) {
    const x = 17 + i + 0.246813579;
    const y = 55 + i + 0.135792468;
    sentinels.push(x, y);
    await pub("sensors/room-1", [{ bn: "room-1/", n: "temperature", v: x }, { n: "humidity", v: y }]);
  }
  strings.push("SENTINEL-MALFORMED-7y3", "SENTINEL-STRING-VALUE-4k1", "SENTINEL-LARGE-9p2");
  await pub("sensors/meter-1", '{"voltage": 1, "SENTINEL-MALFORMED-7y3": ');
  await pub("sensors/meter-1", { voltage: "SENTINEL-STRING-VALUE-4k1", current: 1, power: 1 });
  await pub("sensors/meter-1", { voltage: 1, current: 1, power: 1, pad: "SENTINEL-LARGE-9p2" + "x".repeat(10000) });
  await pub("sensors/meter-1", { voltage: 1.5, current: 123456.918273645, power: 1 }); // a range/spike reject
  sentinels.push(123456.918273645);
  // then ordinary readings, and an explicit snapshot
  for (let i = 0; i < 100; i++) await pub("sensors/meter-1", { voltage: 230 + (i % 7), current: 1 + (i % 3) / 10, power: (230 + (i % 7)) * (1 + (i % 3) / 10) });
  await pub("edgelearn/meter-1/cmd", "snapshot");
  await waitFor(() => c.got.some((m) => m.topic === "edgelearn/meter-1/reply"), "snapshot reply");
  await waitFor(() => c.json("edgelearn/meter-1/health").some((h) => h.readings === 164), "health after every reading", 5000);
  const h = c.json("edgelearn/meter-1/health").at(-1);
  assert.equal(h.rejected.malformed_json, 1);
  assert.equal(h.rejected.wrong_type, 1);
  assert.equal(h.rejected.too_large, 1);
  assert.ok(h.last_checkpoint.seq > 1, "checkpoints were written");

  child.kill("SIGTERM");
  assert.equal(await exited, 0, "clean shutdown exits 0");
  closeSync(out);
  closeSync(err);

  // every retained message on the broker
  const r = await client(broker.url);
  await r.c.subscribeAsync({ "#": { qos: 1 } });
  await new Promise((res) => setTimeout(res, 500));
  const retained = r.got.filter((m) => m.retain);
  assert.ok(retained.some((m) => m.topic === "edgelearn/status" && m.text === "offline"));
  assert.ok(retained.some((m) => m.topic === "edgelearn/meter-1/health"));
  await r.c.endAsync();
  await c.c.endAsync();

  const written = files(dir);
  assert.ok(written.some((f) => f.endsWith("edgelearn.db")), written.join(", "));
  assert.ok(readFileSync(join(dir, "stderr.log"), "utf8").includes("checkpoint"), "the log has content");
  const needles: [string, Buffer][] = [
    ...sentinels.flatMap((v) => [
      [`text ${v}`, Buffer.from(String(v))] as [string, Buffer],
      [`f64 ${v}`, f64(v)] as [string, Buffer],
    ]),
    ...strings.map((s) => [s, Buffer.from(s)] as [string, Buffer]),
  ];
  const hay: [string, Buffer][] = [
    ...written.map((f) => [f, readFileSync(f)] as [string, Buffer]),
    ...retained.map((m) => [`retained ${m.topic}`, Buffer.from(m.text)] as [string, Buffer]),
  ];
  const found: string[] = [];
  for (const [where, bytes] of hay) for (const [what, needle] of needles) if (bytes.includes(needle)) found.push(`${what} in ${where}`);
  assert.deepEqual(found, []);
});
