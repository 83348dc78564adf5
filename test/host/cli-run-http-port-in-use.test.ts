// `edgelearn run` with http.listen on a port already in use: it fails at start with one error
// naming the setting and the address, exit 1 (a runtime failure: the systemd unit restarts, and the
// port of an instance still stopping is free by then), and a process that ends by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { EXIT } from "../../host/cli/main.js";
import { freePort } from "../helpers/mosquitto.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

test("run with http.listen in use: one error naming http.listen and the address, exit 1, nothing left running", { timeout: 30_000 }, async (t) => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
  t.after(() => taken.close());
  const listen = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
  // No broker there: the MQTT client is still trying to connect when the start fails, and must be stopped.
  const broker = `mqtt://127.0.0.1:${await freePort()}`;
  const env = { ...process.env, EDGELEARN_HTTP__LISTEN: listen, EDGELEARN_STORE__TYPE: "memory" };
  const r = spawnSync(process.execPath, ["bin/edgelearn.js", "run", "--broker", broker], { cwd: ROOT, env, encoding: "utf8", timeout: 15_000 });
  // It used to go on running without its HTTP server (killed here by the timeout).
  assert.equal(r.signal, null, `run did not exit by itself (killed by ${r.signal}); stderr: ${r.stderr}`);
  assert.equal(r.status, EXIT.FAILURE, r.stderr);
  assert.match(r.stderr, new RegExp(`error edgelearn cannot start: http\\.listen ${listen.replaceAll(".", "\\.")}: address already in use;`));
});
