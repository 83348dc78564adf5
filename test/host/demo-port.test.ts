// `edgelearn demo --port P / --http-port P`: a number that is no TCP port is bad usage, before anything starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { main, EXIT } from "../../host/cli/main.js";

test("a port out of range or not a whole number is bad usage (exit 2), nothing is started", { timeout: 10_000 }, async () => {
  for (const [option, value] of [["--port", "99999"], ["--port", "1.5"], ["--port", ""], ["--http-port", "65536"], ["--http-port", "80.5"]]) {
    let err = "";
    const code = await main(["demo", option, value, "--duration", "1", "--quiet"], { out: () => {}, err: (s) => void (err += s) });
    assert.equal(code, EXIT.USAGE, `${option} ${JSON.stringify(value)}: ${err}`);
    assert.match(err, new RegExp(`${option} must be a port number`));
  }
});
