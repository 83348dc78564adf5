// mqtt.passwordFile: an empty or blank file is a config error naming it, at load and again when
// the connection's options are built (the file may have been emptied since); any one character
// is a password (the broker's administrator set it, not edgelearn).

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../host/config/load.js";
import { clientOptions } from "../../host/mqtt/connection.js";
import { tempDir } from "../helpers/tmp.js";
import { configProblems as problems } from "../helpers/config-problems.js";

const dir = tempDir("mqtt-password-file");
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const load = (passwordFile: string) => loadConfig({ env: {}, overrides: { mqtt: { username: "gateway", passwordFile } } });

test("an empty or blank mqtt.passwordFile is a config error naming the file", () => {
  for (const [name, text] of [["empty", ""], ["newline", "\n"], ["blanks", " \t \r\nsecond line is not the password\n"]]) {
    const f = file(name, text);
    assert.deepEqual(problems(() => load(f)), [`mqtt.passwordFile: ${f} is empty (its first line must hold the secret)`], name);
  }
});

test("any non-blank first line is the broker password, without its line end and surrounding spaces or tabs", () => {
  assert.equal(clientOptions(load(file("one", "x\n")).mqtt).password, "x", "no minimum length beyond one character");
  assert.equal(clientOptions(load(file("padded", " \tbroker pw\t \r\nnext line\n")).mqtt).password, "broker pw");
  assert.equal(clientOptions(load(file("nbsp", "\u00a0\n")).mqtt).password, "\u00a0", "only ASCII blanks are trimmed");
});

test("a password file emptied after the configuration was loaded is refused when the connection starts", () => {
  const f = file("emptied", "broker pw\n");
  const config = load(f);
  writeFileSync(f, "  \n");
  assert.deepEqual(problems(() => clientOptions(config.mqtt)), [`mqtt.passwordFile: ${f} is empty (its first line must hold the secret)`]);
});
