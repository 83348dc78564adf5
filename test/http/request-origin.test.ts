// The same-origin check of dashboard commands, directly and behind a reverse proxy that forwards
// to the server's internal address (Host: 127.0.0.1:9464) while the browser's page is at the
// proxy's public origin.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { fromOwnOrigin } from "../../host/http/request-origin.js";
import { parseOrigin, publicOrigins } from "../../host/config/origin.js";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const PUBLIC = "https://edge.example.com";
const behindProxy = (origin: string) => request({ host: "127.0.0.1:9464", origin, "x-forwarded-host": "edge.example.com" });
const NONE = publicOrigins(undefined);

test("without http.publicOrigin a browser behind a Host-rewriting proxy is refused, X-Forwarded-Host or not", () => {
  assert.equal(fromOwnOrigin(behindProxy(PUBLIC), NONE), false);
  assert.equal(fromOwnOrigin(request({ host: "127.0.0.1:9464", origin: "http://127.0.0.1:9464" }), NONE), true, "direct");
  assert.equal(fromOwnOrigin(request({ host: "127.0.0.1:9464" }), NONE), true, "no Origin: not a browser's cross-site request");
});

test("with http.publicOrigin that origin is the server's own, exactly as browsers serialize it", () => {
  const configured = publicOrigins(PUBLIC);
  assert.equal(fromOwnOrigin(behindProxy(PUBLIC), configured), true);
  assert.equal(fromOwnOrigin(behindProxy("https://EDGE.example.com:443"), configured), true, "same origin, other spelling");
  for (const other of ["http://edge.example.com", "https://edge.example.com:8443", "https://edge.example.com.evil.example", "https://evil.example", "null", ""]) {
    assert.equal(fromOwnOrigin(behindProxy(other), configured), false, other);
  }
  // A client that reaches the port directly cannot make its origin the server's by a header.
  assert.equal(fromOwnOrigin(request({ host: "127.0.0.1:9464", origin: "https://evil.example", "x-forwarded-host": "evil.example" }), configured), false);
  assert.equal(fromOwnOrigin(request({ host: "127.0.0.1:9464", origin: "http://127.0.0.1:9464" }), configured), true, "direct access still works");
});

test("with a list in http.publicOrigin each of its origins is the server's own, and no other", () => {
  const configured = publicOrigins(["https://Edge.example.com:443/", "http://edge.lan:8080"]);
  assert.deepEqual([...configured], ["https://edge.example.com", "http://edge.lan:8080"], "serialized as browsers send them");
  for (const own of ["https://edge.example.com", "http://edge.lan:8080", "http://EDGE.lan:8080"]) assert.equal(fromOwnOrigin(behindProxy(own), configured), true, own);
  for (const other of ["http://edge.lan", "https://edge.lan:8080", "http://edge.example.com", "https://evil.example", "null"]) {
    assert.equal(fromOwnOrigin(behindProxy(other), configured), false, other);
  }
  assert.equal(fromOwnOrigin(request({ host: "127.0.0.1:9464", origin: "http://127.0.0.1:9464" }), configured), true, "direct access still works");
});

test("http.publicOrigin must be an origin alone: scheme, host, optional port", () => {
  assert.equal(parseOrigin("https://edge.example.com/"), "https://edge.example.com");
  assert.equal(parseOrigin("https://Edge.Example.com:443"), "https://edge.example.com");
  assert.equal(parseOrigin("http://[::1]:8080"), "http://[::1]:8080");
  for (const bad of ["edge.example.com", "https://edge.example.com/dashboard", "https://u:p@edge.example.com", "https://edge.example.com?x", "https://edge.example.com#", "ftp://edge.example.com", "null", ""]) {
    assert.equal(parseOrigin(bad), undefined, bad);
  }
});
