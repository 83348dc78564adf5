// The MQTT client id of a worker's bridge connection (bridge.ts). Every worker connects to the
// same MQTT listener with the configured mqtt.clientId, so the id must say which worker it is:
// two workers under one id would take each other's connection over, over and over, each
// takeover firing the other's last will ("offline").

import { createHash } from "node:crypto";

/** MQTT 3.1.1 servers must accept 23 characters and may refuse more; nats-server and the config take 64. */
export const MAX_CLIENT_ID = 64;
/** Characters of the base kept at least when a worker name is too long to fit whole beside it. */
const MIN_BASE = 16;
/** Hex characters of a long worker name's hash (48 bits: no collision among any real worker count). */
const HASH_HEX = 12;

/**
 * `<base>-<worker>` within MAX_CLIENT_ID characters. When that is too long the base is cut, never
 * the worker name (cutting the end gave every worker under a long base the same id), so ids stay
 * distinct, short of a worker name that repeats the cut-off end of the base. A worker name too
 * long to keep whole beside MIN_BASE characters of the base becomes its start plus a hash of all
 * of it.
 */
export function bridgeClientId(base: string, worker: string): string {
  const suffix = `-${worker}`;
  if (base.length + suffix.length <= MAX_CLIENT_ID) return base + suffix;
  if (suffix.length <= MAX_CLIENT_ID - MIN_BASE) return base.slice(0, MAX_CLIENT_ID - suffix.length) + suffix;
  const hash = createHash("sha256").update(worker, "utf8").digest("hex").slice(0, HASH_HEX);
  const head = worker.slice(0, MAX_CLIENT_ID - MIN_BASE - 2 - HASH_HEX);
  return `${base.slice(0, MIN_BASE)}-${head}-${hash}`;
}
