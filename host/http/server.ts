// The service's HTTP server (node:http, no framework):
//   GET  /healthz                 200 while the process serves (probes never need credentials)
//   GET  /readyz                  200 once subscribed and while connected to the broker, else 503
//   GET  /metrics                 Prometheus text format
//   GET  /                        the dashboard (page and /assets/*: no data, no credentials)
//   GET  /api/devices             one page of the device list (?q, offset, limit, sort)
//   GET  /api/stream              Server-Sent Events (?device, q, offset, limit, sort)
//   POST /api/devices/<d>/reset   commands: only with http.commands and valid credentials
//   POST /api/devices/<d>/rollback
//   GET  /api/devices/<d>/snapshot  the device's state blob (a download)
// HEAD is answered wherever GET is (the same headers, no body); another method on a known path
// gets 405 with the methods it takes in Allow.
// With credentials configured every data endpoint (metrics, api) requires them. Without, all but
// the probes answer only requests whose Host names this machine or http.publicOrigin's hosts
// (421 otherwise: a page on another site that rebinds its name to 127.0.0.1; host-names.ts).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Config } from "../config/types.js";
import type { Logger } from "../logger.js";
import type { Service } from "../service/service.js";
import type { ServiceMetrics } from "../metrics/registry.js";
import { parseListen } from "../config/listen.js";
import { publicOrigins } from "../config/origin.js";
import { Credentials } from "./auth.js";
import { HostNames } from "./host-names.js";
import { loadAssets, type Asset } from "./assets.js";
import { LiveView } from "./live.js";
import { parseQuery } from "./device-list.js";
import { runHttpCommand } from "./commands.js";
import { json } from "./respond.js";
import { ListenError } from "./listen-error.js";

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

const COMMAND_PATH = /^\/api\/devices\/([^/]+)\/(reset|rollback|snapshot)$/;
const READ: readonly string[] = ["GET", "HEAD"];
const WRITE: readonly string[] = ["POST"];

/** A path segment decoded, or undefined when its percent-encoding is malformed (a client's error, not ours). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export interface HttpServerOptions {
  service: Service;
  config: Config["http"];
  log: Logger;
  metrics: ServiceMetrics;
}

export class HttpServer {
  readonly live: LiveView;
  private readonly server: Server;
  private readonly creds: Credentials;
  private readonly assets: Map<string, Asset>;
  private readonly sockets = new Set<Socket>();
  private readonly service: Service;
  /** http.publicOrigin's origins, serialized. */
  private readonly publicOrigins: ReadonlySet<string>;
  private readonly hostNames: HostNames;
  private ready = false;
  private stopping = false;
  address: AddressInfo | undefined;

  constructor(private readonly opts: HttpServerOptions) {
    this.service = opts.service;
    this.creds = new Credentials(opts.config);
    this.publicOrigins = publicOrigins(opts.config.publicOrigin);
    const listen = parseListen(opts.config.listen);
    this.hostNames = new HostNames(typeof listen === "string" ? [] : [listen.host], this.publicOrigins);
    this.assets = loadAssets();
    this.live = new LiveView(opts.service);
    void opts.service.ready.then(() => (this.ready = true));
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e: Error) => {
        opts.log.error(`HTTP ${req.method} ${req.url?.slice(0, 200)} failed: ${e.message}`);
        if (!res.headersSent) json(res, 500, { error: "internal error" });
        else res.end();
      });
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  /** The URL of the dashboard (the bound address). */
  get url(): string {
    const a = this.address!;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/`;
  }

  async start(): Promise<this> {
    const addr = parseListen(this.opts.config.listen);
    if (typeof addr === "string") throw new Error(`http.listen: ${addr}`);
    await new Promise<void>((resolve, reject) => {
      const refused = (e: NodeJS.ErrnoException) => reject(new ListenError(this.opts.config.listen, e.code, e));
      this.server.once("error", refused);
      this.server.listen(addr.port, addr.host, () => {
        this.server.removeListener("error", refused);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    this.opts.log.info(`HTTP on ${this.url} (metrics ${this.url}metrics${this.creds.configured ? ", credentials required" : ""})`);
    return this;
  }

  /** Readiness off at once (load balancers stop sending), streams closed, then the socket. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.live.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = req.method ?? "GET";
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const allow = this.methods(path);
    if (allow && !allow.includes(method)) {
      res.setHeader("allow", allow.join(", "));
      return json(res, 405, { error: `${method} is not allowed here; use ${allow.join(" or ")}` });
    }

    if (path === "/healthz") return json(res, this.stopping ? 503 : 200, { status: this.stopping ? "stopping" : "ok" });
    if (path === "/readyz") return this.readyz(res);
    if (!this.creds.configured && !this.hostNames.allows(req.headers.host)) {
      return json(res, 421, {
        error: "without credentials this server answers only requests for localhost, its loopback address or http.publicOrigin's hosts; set http.publicOrigin to the address you reach it by (or set credentials)",
      });
    }
    if (this.assets.has(path)) {
      const a = this.assets.get(path)!;
      res.writeHead(200, { "content-type": a.type, "cache-control": "no-cache", "content-length": a.body.length });
      return void res.end(a.body);
    }
    const authed = this.creds.configured && this.creds.check(req);
    if (this.creds.configured && !authed && (path === "/metrics" || path.startsWith("/api/"))) {
      // The page signs in itself; only non-browser clients (Prometheus, curl) get a challenge.
      if (path === "/metrics") res.setHeader("www-authenticate", `${this.creds.scheme} realm="edgelearn"`);
      return json(res, 401, { error: "credentials required", scheme: this.creds.scheme });
    }
    if (path === "/metrics") {
      const m = await this.opts.metrics.text();
      res.writeHead(200, { "content-type": m.contentType, "cache-control": "no-store" });
      return void res.end(m.body);
    }
    if (path === "/api/devices") return json(res, 200, this.live.page(parseQuery(url.searchParams)));
    if (path === "/api/stream") {
      // A stream answered to HEAD would never end: its headers, and done.
      if (method === "HEAD") return this.live.head(res);
      return this.live.open(res, parseQuery(url.searchParams), url.searchParams.get("device") ?? undefined);
    }
    const cmd = COMMAND_PATH.exec(path);
    if (cmd) {
      if (!this.opts.config.commands) return json(res, 403, { error: "commands are off (http.commands: false)" });
      if (!authed) return json(res, 401, { error: "commands need credentials", scheme: this.creds.scheme ?? null });
      const device = decodeSegment(cmd[1]);
      if (device === undefined) return json(res, 400, { error: "the device name is not valid percent-encoding" });
      return runHttpCommand(this.service, this.opts.log, req, res, device, cmd[2] as "reset" | "rollback" | "snapshot", this.publicOrigins);
    }
    json(res, 404, { error: "not found" });
  }

  /** The methods a known path takes (HEAD wherever GET), undefined for an unknown path. */
  private methods(path: string): readonly string[] | undefined {
    if (path === "/healthz" || path === "/readyz" || path === "/metrics" || path === "/api/devices" || path === "/api/stream" || this.assets.has(path)) return READ;
    const cmd = COMMAND_PATH.exec(path);
    if (cmd) return cmd[2] === "snapshot" ? READ : WRITE;
    return undefined;
  }

  private readyz(res: ServerResponse): void {
    const problems: string[] = [];
    if (this.stopping) problems.push("stopping");
    if (!this.ready) problems.push("not yet subscribed to the broker");
    else if (!this.service.connection?.connected) problems.push("broker connection down");
    json(res, problems.length ? 503 : 200, problems.length ? { status: "not ready", problems } : { status: "ready" });
  }
}
