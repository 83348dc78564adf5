// Credentials for the HTTP server: a bearer token, or basic auth (username + password). Secrets
// from files are read once at start. Comparisons hash both sides first, so they take the same
// time whatever the input (no length or prefix leaks through timing).

import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { Config } from "../config/types.js";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
const firstLine = (file: string) => readFileSync(file, "utf8").split(/\r?\n/)[0];

export class Credentials {
  private readonly token: Buffer | undefined;
  private readonly basic: Buffer | undefined;
  /** What a 401 answer offers ("Bearer" or "Basic"). */
  readonly scheme: "Bearer" | "Basic" | undefined;

  constructor(h: Config["http"]) {
    const token = h.token ?? (h.tokenFile !== undefined ? firstLine(h.tokenFile) : undefined);
    const password = h.password ?? (h.passwordFile !== undefined ? firstLine(h.passwordFile) : undefined);
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
    const value = h.slice(sp + 1).trim();
    if (scheme === "bearer" && this.token) return timingSafeEqual(digest(value), this.token);
    if (scheme === "basic" && this.basic) {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      return timingSafeEqual(digest(decoded), this.basic);
    }
    return false;
  }
}
