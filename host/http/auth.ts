// Credentials for the HTTP server: a bearer token, or basic auth (username + password). Secrets
// from files are read once at start, and refused there if shorter than the inline setting may be
// (the file may have changed since the configuration was loaded). Comparisons hash both sides
// first, so they take the same time whatever the input (no length or prefix leaks through timing).

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Config } from "../config/types.js";
import { HTTP_PASSWORD_MIN_LENGTH, HTTP_TOKEN_MIN_LENGTH } from "../config/schema.js";
import { trimAsciiBlanks } from "../config/secret-file.js";
import { resolveSecret } from "../config/secret-setting.js";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export class Credentials {
  private readonly token: Buffer | undefined;
  private readonly basic: Buffer | undefined;
  /** What a 401 answer offers ("Bearer" or "Basic"). */
  readonly scheme: "Bearer" | "Basic" | undefined;

  constructor(h: Config["http"]) {
    const token = resolveSecret(h.token, "http.tokenFile", h.tokenFile, HTTP_TOKEN_MIN_LENGTH);
    const password = resolveSecret(h.password, "http.passwordFile", h.passwordFile, HTTP_PASSWORD_MIN_LENGTH);
    this.token = token !== undefined ? digest(token) : undefined;
    this.basic = h.username !== undefined && password !== undefined ? digest(`${h.username}:${password}`) : undefined;
    this.scheme = this.token ? "Bearer" : this.basic ? "Basic" : undefined;
  }

  /** Whether any credentials are configured: then every data endpoint requires them. */
  get configured(): boolean {
    return this.scheme !== undefined;
  }

  /** True when the request carries valid credentials. */
  check(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (typeof h !== "string") return false;
    const sp = h.indexOf(" ");
    if (sp < 0) return false;
    const scheme = h.slice(0, sp).toLowerCase();
    // Only the blanks HTTP itself allows around a value: Node passes other bytes (0xA0 arrives as
    // U+00A0) through, and String#trim would turn "Bearer \xa0" into an empty credential.
    const value = trimAsciiBlanks(h.slice(sp + 1));
    if (value === "") return false;
    if (scheme === "bearer" && this.token) return timingSafeEqual(digest(value), this.token);
    if (scheme === "basic" && this.basic) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      return timingSafeEqual(digest(decoded), this.basic);
    }
    return false;
  }
}
