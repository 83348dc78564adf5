// `edgelearn replay` on a path that exists but cannot be read as a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { main, EXIT } from "../../host/cli/main.js";
import { tempDir } from "../helpers/tmp.js";

test("a folder given as FILE.csv is bad input (exit 4) with the reason, not a crash", async () => {
  let out = "";
  let err = "";
  const code = await main(["replay", tempDir("replay-unreadable"), "--task", "anomaly", "--quiet"], {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
  });
  assert.equal(code, EXIT.BAD_INPUT, err);
  assert.match(err, /cannot read .*EISDIR/);
  assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  assert.equal(out, "");
});
