// The HTTP credentials on their own: secrets read from files at start, and what a request must
// present. Requests go through a real node:http server, so header bytes arrive as Node parses them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Credentials } from "../../host/http/auth.js";
import { ConfigError } from "../../host/config/load.js";
import type { Config } from "../../host/config/types.js";
import { tempDir } from "../helpers/tmp.js";

const TOKEN = "0123456789abcdef-token";
const dir = tempDir("http-auth");
const http = (h: Partial<Config["http"]>): Config["http"] => ({ enabled: true, listen: "0.0.0.0:0", commands: false, perDeviceMetrics: false, ...h });
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** The status a server guarded by `creds` answers to a request carrying `authorization` as raw latin1 bytes. */
async function statusFor(creds: Credentials, authorization: string): Promise<number> {
  const server: Server = createServer((req, res) => res.writeHead(creds.check(req) ? 200 : 401).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, "127.0.0.1");
      let text = "";
      s.on("data", (d) => (text += d.toString("latin1")));
      s.on("end", () => resolve(text));
      s.on("error", reject);
      s.end(Buffer.from(`GET /metrics HTTP/1.1\r\nhost: x\r\nauthorization: ${authorization}\r\nconnection: close\r\n\r\n`, "latin1"));
    });
    return Number(reply.split(" ")[1]);
  } finally {
    server.close();
  }
}

test("an empty, blank or short token file at start is a config error naming the file, never an empty token", () => {
  for (const [name, text] of [["empty", ""], ["blank", " \t\r\n"], ["short", "0123456789\n"]]) {
    const f = file(name, text);
    assert.throws(
      () => new Credentials(http({ tokenFile: f })),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0].startsWith(`http.tokenFile: `) && e.problems[0].includes(f),
      name,
    );
  }
  const pw = file("pw-empty", "\n");
  assert.throws(() => new Credentials(http({ username: "prom", passwordFile: pw })), (e: unknown) => e instanceof ConfigError && e.problems[0].startsWith(`http.passwordFile: ${pw}`));
});

test("a token file's first line, without the line end and surrounding spaces or tabs, is the token", async () => {
  const creds = new Credentials(http({ tokenFile: file("token", ` \t${TOKEN}\t \r\nsecond line\n`) }));
  assert.equal(creds.scheme, "Bearer");
  assert.equal(await statusFor(creds, `Bearer ${TOKEN}`), 200);
  assert.equal(await statusFor(creds, `Bearer   ${TOKEN}`), 200, "extra spaces after the scheme");
  assert.equal(await statusFor(creds, `Bearer ${TOKEN}x`), 401);
});

test("the presented credential is trimmed of ASCII blanks only, and an empty one is refused", async () => {
  const creds = new Credentials(http({ tokenFile: file("token2", `${TOKEN}\n`) }));
  // Node passes the 0xA0 byte through as U+00A0; String#trim would strip it and accept the token.
  assert.equal(await statusFor(creds, `Bearer ${TOKEN}\xa0`), 401);
  assert.equal(await statusFor(creds, `Bearer \xa0${TOKEN}`), 401);
  assert.equal(await statusFor(creds, "Bearer \xa0"), 401);
  assert.equal(await statusFor(creds, "Bearer \t "), 401);
  const basic = new Credentials(http({ username: "prom", passwordFile: file("pw", "long enough\n") }));
  assert.equal(await statusFor(basic, `Basic ${Buffer.from("prom:long enough").toString("base64")}`), 200);
  assert.equal(await statusFor(basic, "Basic \xa0"), 401);
});
