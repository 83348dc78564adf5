// Commands from the dashboard: reset, rollback, snapshot download. The server has already checked
// that commands are on, the request carries valid credentials and its method is the command's
// (GET or HEAD for snapshot, POST for the others). A POST must say it is JSON and,
// when the browser names an origin, come from this server's own (request-origin.ts): a form on
// another site cannot trigger a command with credentials the browser happens to hold.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.js";
import type { Service } from "../service/service.js";
import { json } from "./respond.js";
import { fromOwnOrigin } from "./request-origin.js";

export type HttpCommand = "reset" | "rollback" | "snapshot";

/** `publicOrigins`: http.publicOrigin serialized, the origins of the dashboard behind a reverse proxy. */
export function runHttpCommand(
  service: Service,
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  device: string,
  cmd: HttpCommand,
  publicOrigins: ReadonlySet<string>,
): void {
  if (!service.pool.get(device)) return json(res, 404, { error: `unknown device ${JSON.stringify(device).slice(0, 140)}` });
  if (cmd === "snapshot") {
    const snap = service.snapshotDevice(device);
    if (!snap.ok) return json(res, 409, { error: snap.error });
    const blob = snap.value;
    if (req.method === "GET") log.info(`HTTP: snapshot of ${device} downloaded`);
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${device.replace(/[^\w.-]/g, "_")}.edgelearn"`,
      "content-length": blob.length,
      "cache-control": "no-store",
    });
    return void res.end(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength));
  }
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json") || !fromOwnOrigin(req, publicOrigins)) {
    return json(res, 403, { error: "commands need a same-origin JSON request" });
  }
  req.resume();
  if (cmd === "reset") {
    service.resetDevice(device);
    log.info(`HTTP: device ${device} reset`);
    return json(res, 200, { ok: true, cmd, device });
  }
  const r = service.rollbackDevice(device);
  if (!r.ok) return json(res, 409, { ok: false, cmd, device, error: r.error });
  log.info(`HTTP: device ${device} rolled back to checkpoint ${r.value.seq}`);
  json(res, 200, { ok: true, cmd, device, seq: r.value.seq, readings: r.value.readings });
}
