// A reader that closes edgelearn's stdout or stderr (`| head -1`, `2>&1 | grep -m1`): a one-shot
// command stops quietly with exit 0, or with its own code when it had nothing more to write;
// `run` and `demo` go on serving. Before, the first write to the closed pipe ended the process
// with an unhandled EPIPE and its stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectAsync } from "mqtt";
import { Learner, Kind } from "../../host/learner/index.js";
import { SqliteStore } from "../../host/store/sqlite.js";
import { startBroker } from "../../host/tools/demo/broker.js";
import { EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";
import { waitFor } from "../helpers/mqtt.js";
import { conceptChange } from "../helpers/concept-change.js";
import { driftingCsv } from "../compare/fixtures.js";

const BIN = fileURLToPath(new URL("../../../bin/edgelearn.js", import.meta.url));
const dir = tempDir("closed-pipe");

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `edgelearn ...args`; `reader` closes the child's pipes as a reader going away would. */
function edgelearn(args: string[], reader: (child: ChildProcess) => void): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const ended = new Promise<Ended>((r) => child.once("exit", (code, signal) => r({ code, signal, stderr })));
  reader(child);
  return { child, ended };
}

/** `| head -1`: the stdout pipe is closed after its first chunk. */
const afterFirstChunk = (child: ChildProcess) => child.stdout!.once("data", () => child.stdout!.destroy());
/** `| true`: the reader is gone before the command writes its result. */
const atOnce = (child: ChildProcess) => child.stdout!.destroy();

function assertQuiet(r: Ended): void {
  assert.equal(r.signal, null);
  assert.equal(r.code, EXIT.OK, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /, r.stderr);
}

test("inspect STORE.db | head -1: the listing stops quietly, exit 0", { timeout: 30_000 }, async () => {
  // Enough lines (~200 KB) that the listing outlives the pipe's buffer and the first chunk.
  const db = join(dir, "store", "edgelearn.db");
  const store = new SqliteStore({ path: db });
  const blob = new Learner().create(Kind.Linear, 2).snapshot();
  for (let d = 0; d < 3000; d++) store.checkpoint(`device-${d}`, blob, 0, true);
  store.close();
  assertQuiet(await edgelearn(["inspect", db], afterFirstChunk).ended);
});

test("inspect BLOB | true: a closed stdout keeps inspect's answer, 0 for a valid blob and 5 for a damaged one", { timeout: 30_000 }, async () => {
  const blob = new Learner().create(Kind.Linear, 2).snapshot();
  const good = join(dir, "good.blob");
  writeFileSync(good, blob);
  const damaged = join(dir, "damaged.blob");
  const flipped = Uint8Array.from(blob);
  flipped[flipped.length - 1] ^= 0xff; // a payload byte: the stored CRC no longer matches
  writeFileSync(damaged, flipped);
  assertQuiet(await edgelearn(["inspect", good], atOnce).ended);
  for (const args of [["inspect", damaged], ["inspect", damaged, "--json"]]) {
    const r = await edgelearn(args, atOnce).ended;
    assert.equal(r.signal, null);
    assert.equal(r.code, EXIT.INVALID_BLOB, `${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /, r.stderr);
  }
});

test("replay and compare with their stdout closed before the result: quiet, exit 0", { timeout: 60_000 }, async () => {
  const csv = join(dir, "data.csv");
  writeFileSync(csv, ["a,b,y", ...[...conceptChange(500, 250, 1, 0.05)].map((r) => `${r.a},${r.b},${r.y}`)].join("\n") + "\n");
  assertQuiet(await edgelearn(["replay", csv, "--task", "regression", "--target", "y", "--quiet"], atOnce).ended);
  assertQuiet(await edgelearn(["compare", driftingCsv("classification", 500), "--task", "classification", "--target", "y"], atOnce).ended);
  assertQuiet(await edgelearn(["--help"], atOnce).ended);
});

test("run goes on serving when its stdout and stderr (its log) are closed, and stops cleanly", { timeout: 60_000 }, async (t) => {
  const broker = await startBroker();
  t.after(() => broker.close());
  const config = join(dir, "run.json");
  writeFileSync(
    config,
    JSON.stringify({
      mqtt: { url: broker.url, protocolVersion: 4, clientId: `edgelearn-closed-pipe-${process.pid}` },
      model: { task: "anomaly" },
      store: { type: "memory" },
      http: { enabled: false },
      log: { level: "debug" },
    }),
  );
  // `2>&1 | grep -m1 running`: both pipes close once the first log line is read.
  const { child, ended } = edgelearn(["run", "--config", config], (c) =>
    c.stderr!.once("data", () => {
      c.stdout!.destroy();
      c.stderr!.destroy();
    }),
  );
  t.after(() => child.kill("SIGKILL"));
  const mqtt = await connectAsync(broker.url, { clientId: `test-closed-pipe-${process.pid}`, protocolVersion: 4 });
  t.after(() => mqtt.endAsync());
  const predicted = new Set<string>();
  mqtt.on("message", (topic) => predicted.add(topic.split("/")[1]));
  await mqtt.subscribeAsync("edgelearn/+/prediction", { qos: 0 });
  await waitFor(() => child.stderr!.destroyed, "the first log line", 15_000);
  // Each new device is logged ("new anomaly model"): writes to the closed stderr while serving.
  for (const device of ["pump-1", "pump-2", "pump-3"]) {
    for (let i = 0; i < 20 && !predicted.has(device); i++) {
      await mqtt.publishAsync(`sensors/${device}`, JSON.stringify({ temp: 20 + i / 10, rpm: 1000 + i }), { qos: 1 });
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => predicted.has(device), `a prediction for ${device} (the service alive)`, 10_000);
  }
  assert.equal(child.exitCode, null, "the service is still running");
  child.kill("SIGTERM");
  const r = await ended;
  assert.equal(r.code, EXIT.OK, `exit ${r.code} (${r.signal}); stderr before the close: ${r.stderr}`);
});

test("demo with its stdout closed runs to --duration and exits 0", { timeout: 30_000 }, async () => {
  const r = await edgelearn(["demo", "--duration", "2", "--port", "0", "--http-port", "0", "--quiet"], atOnce).ended;
  assert.equal(r.code, EXIT.OK, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE/);
});
