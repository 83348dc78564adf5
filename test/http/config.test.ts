// The http settings: defaults, and the config errors a risky or incomplete setup gets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, ConfigError } from "../../host/config/load.js";
import { isLoopback, parseListen } from "../../host/config/listen.js";
import { tempDir } from "../helpers/tmp.js";

const load = (http: Record<string, unknown>) => loadConfig({ env: {}, overrides: { http } });
const problems = (http: Record<string, unknown>): string[] => {
  try {
    load(http);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
};

test("http defaults: on, loopback port 9464, no credentials, commands off, host-wide metrics only", () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual(c.http, { enabled: true, listen: "127.0.0.1:9464", commands: false, perDeviceMetrics: false });
  assert.deepEqual(c.homeassistant, { enabled: false, prefix: "homeassistant" });
});

test("a bind beyond loopback without credentials is a clear config error", () => {
  const p = problems({ listen: "0.0.0.0:9464" });
  assert.equal(p.length, 1);
  assert.match(p[0], /^http\.listen: 0\.0\.0\.0:9464 is reachable from other machines; set http\.token/);
  assert.deepEqual(problems({ listen: "0.0.0.0:9464", token: "0123456789abcdef" }), []);
  assert.deepEqual(problems({ listen: "[::]:9464", username: "prom", password: "long enough" }), []);
  assert.match(problems({ listen: "[::]:9464" })[0], /reachable from other machines/);
  assert.deepEqual(problems({ listen: "0.0.0.0:9464", enabled: false }), [], "no server, no bind");
  for (const ok of ["127.0.0.1:1", "localhost:9464", "[::1]:9464", "127.10.0.3:80"]) assert.deepEqual(problems({ listen: ok }), [], ok);
});

test("credentials come whole, commands need them, listen must parse", () => {
  assert.match(problems({ commands: true })[0], /^http\.commands: commands from the dashboard need credentials/);
  assert.match(problems({ username: "u" })[0], /^http\.password: basic auth needs a password/);
  assert.match(problems({ password: "12345678" })[0], /^http\.username: basic auth needs a username/);
  assert.match(problems({ token: "short" })[0], /^http\.token: must NOT have fewer than 16 characters/);
  assert.match(problems({ listen: "9464" })[0], /^http\.listen: "9464" is not valid/);
  assert.match(problems({ listen: "host:99999" })[0], /^http\.listen: port 99999 is above 65535/);
  const dir = tempDir("http-config");
  const f = join(dir, "token");
  writeFileSync(f, "0123456789abcdef0123\n");
  assert.match(problems({ token: "0123456789abcdef", tokenFile: f })[0], /^http\.tokenFile: give either token or tokenFile/);
  assert.match(problems({ tokenFile: join(dir, "missing") })[0], /^http\.tokenFile: cannot read/);
  assert.deepEqual(problems({ tokenFile: f, commands: true }), []);
});

test("a token or password file must hold as much as the inline setting: an empty, blank or short file is a config error naming it", () => {
  const dir = tempDir("http-secret-file");
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const open = { listen: "0.0.0.0:9464" };
  for (const [name, text] of [["empty", ""], ["newline", "\n"], ["blanks", " \t \r\n0123456789abcdef\n"]]) {
    const f = file(name, text);
    const p = problems({ ...open, tokenFile: f });
    assert.equal(p.length, 1, p.join("; "));
    assert.equal(p[0], `http.tokenFile: ${f} is empty (its first line must hold the secret, at least 16 characters)`);
  }
  const short = file("short", "0123456789abcde\n");
  assert.deepEqual(problems({ ...open, tokenFile: short }), [`http.tokenFile: the first line of ${short} has 15 characters; at least 16 are needed`]);
  const pw = file("pw", "1234567\r\n");
  assert.deepEqual(problems({ ...open, username: "prom", passwordFile: pw }), [`http.passwordFile: the first line of ${pw} has 7 characters; at least 8 are needed`]);
  // Surrounding ASCII blanks and the line end do not count; any other character does.
  assert.deepEqual(problems({ ...open, tokenFile: file("padded", "\t 0123456789abcdef \r\nnext line") }), []);
  assert.deepEqual(problems({ ...open, username: "prom", passwordFile: file("nbsp", "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0") }), []);
});

test("http.publicOrigin is an origin alone, or a config error naming it", () => {
  assert.deepEqual(problems({ publicOrigin: "https://edge.example.com" }), []);
  assert.deepEqual(problems({ publicOrigin: "https://edge.example.com/edgelearn/" }), [
    'http.publicOrigin: "https://edge.example.com/edgelearn/" is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com',
  ]);
  assert.equal(problems({ publicOrigin: "edge.example.com" }).length, 1);
});

test("http.publicOrigin may be a list of origins, each checked, a bad one named by its place", () => {
  const list = ["https://edge.example.com", "http://edge.lan:8080"];
  assert.deepEqual(load({ publicOrigin: list }).http.publicOrigin, list);
  assert.deepEqual(problems({ publicOrigin: ["https://edge.example.com", "https://edge.example.com/edgelearn/", "edge.lan"] }), [
    'http.publicOrigin[1]: "https://edge.example.com/edgelearn/" is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com',
    'http.publicOrigin[2]: "edge.lan" is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com',
  ]);
  assert.deepEqual(problems({ publicOrigin: ["https://edge.example.com", 8080] }), ["http.publicOrigin[1]: expected string, got 8080"]);
  assert.deepEqual(problems({ publicOrigin: 8080 }), ["http.publicOrigin: expected string or array, got 8080"]);
  assert.deepEqual(problems({ publicOrigin: [] }), ["http.publicOrigin: must NOT have fewer than 1 items"]);
});

test("http.publicOrigin as a list in a JSON or YAML file", () => {
  const dir = tempDir("public-origins");
  const json = join(dir, "c.json");
  writeFileSync(json, JSON.stringify({ http: { publicOrigin: ["https://edge.example.com", "https://edge.example.org"] } }));
  assert.deepEqual(loadConfig({ file: json, env: {} }).http.publicOrigin, ["https://edge.example.com", "https://edge.example.org"]);
  const yaml = join(dir, "c.yaml");
  writeFileSync(yaml, "http:\n  publicOrigin:\n    - https://edge.example.com\n    - https://edge.example.com/x\n");
  assert.throws(() => loadConfig({ file: yaml, env: {} }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.problems, ['http.publicOrigin[1]: "https://edge.example.com/x" is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com']);
    return true;
  });
});

test("EDGELEARN_HTTP__PUBLIC_ORIGIN: one origin, or a comma or JSON list of them", () => {
  const fromEnv = (value: string) => loadConfig({ env: { EDGELEARN_HTTP__PUBLIC_ORIGIN: value } }).http.publicOrigin;
  assert.equal(fromEnv("https://edge.example.com"), "https://edge.example.com");
  assert.deepEqual(fromEnv("https://edge.example.com, http://edge.lan:8080"), ["https://edge.example.com", "http://edge.lan:8080"]);
  assert.deepEqual(fromEnv('["https://edge.example.com"]'), ["https://edge.example.com"]);
  assert.throws(() => fromEnv("https://edge.example.com,edge.lan"), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.problems, ['http.publicOrigin[1]: "edge.lan" is not an origin; give scheme://host[:port] only, e.g. https://edge.example.com']);
    return true;
  });
  assert.throws(() => fromEnv(""), /http\.publicOrigin: "" is not an origin/);
});

test("environment overrides reach the http settings", () => {
  const c = loadConfig({ env: { EDGELEARN_HTTP__LISTEN: "0.0.0.0:9000", EDGELEARN_HTTP__TOKEN: "0123456789abcdef", EDGELEARN_HTTP__PER_DEVICE_METRICS: "true" } });
  assert.equal(c.http.listen, "0.0.0.0:9000");
  assert.equal(c.http.perDeviceMetrics, true);
});

test("listen parsing and the loopback rule", () => {
  assert.deepEqual(parseListen("[::1]:80"), { host: "::1", port: 80 });
  assert.deepEqual(parseListen("gw.local:9464"), { host: "gw.local", port: 9464 });
  assert.equal(typeof parseListen(":80"), "string");
  for (const h of ["127.0.0.1", "127.255.0.1", "::1", "localhost", "::ffff:127.0.0.1"]) assert.ok(isLoopback(h), h);
  for (const h of ["0.0.0.0", "::", "192.168.1.2", "gw.local", "128.0.0.1"]) assert.ok(!isLoopback(h), h);
});

test("`edgelearn run` refuses a public bind without credentials: exit 2, before connecting", async () => {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, ["bin/edgelearn.js", "run", "--broker", "mqtt://127.0.0.1:1"], {
    encoding: "utf8",
    timeout: 20_000,
    env: { ...process.env, EDGELEARN_HTTP__LISTEN: "0.0.0.0:9464" },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /http\.listen: 0\.0\.0\.0:9464 is reachable from other machines; set http\.token/);
  assert.doesNotMatch(r.stderr, /connecting/);
});
