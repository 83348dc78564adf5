// The NATS side of a worker: connecting from `cluster` settings, and making sure the stream and
// the two buckets exist with this configuration (created when missing; idempotent, so workers
// starting together agree). Refusals here are configuration errors (exit 2); no server reachable,
// or JetStream not answering in time, is a runtime failure (exit 1).

import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NatsConnection, type ConnectionOptions } from "@nats-io/transport-node";
import { TimeoutError } from "@nats-io/transport-node";
import { jetstreamManager, JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { ConfigError } from "../config/load.js";
import type { ClusterConfig } from "../config/types.js";
import { mappingLine, streamName, streamSubjects } from "./names.js";

export interface ClusterHandles {
  nc: NatsConnection;
  jsm: JetStreamManager;
  models: KV;
  leases: KV;
}

export function connectOptions(c: ClusterConfig, name: string): ConnectionOptions {
  const o: ConnectionOptions = {
    servers: c.servers,
    name: `edgelearn-${name}`,
    timeout: 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Without it the client builds two errors with stack traces for every request, answered or
    // not (where a failure would have come from): half its CPU for a checkpoint write, 85–128 µs
    // against 42–63 µs a write with it (measured). Failures keep their class and message (a
    // conflicting write is still "wrong last sequence"); only the caller's frames leave the stack.
    noAsyncTraces: true,
  };
  if (c.user) o.user = c.user;
  if (c.password) o.pass = c.password;
  if (c.token) o.token = c.token;
  if (c.credsFile) o.authenticator = credsAuthenticator(readFileSync(c.credsFile));
  if (c.ca || c.cert) o.tls = { caFile: c.ca, certFile: c.cert, keyFile: c.key };
  return o;
}

/**
 * Connects; an unreachable cluster is an Error naming the servers tried. A runtime failure (exit
 * 1), not a configuration error (exit 2): nats-server not up yet at boot, or restarting, is what
 * the systemd unit's restart is for, and it never restarts after exit 2 (RestartPreventExitStatus).
 */
export async function connectCluster(c: ClusterConfig, name: string): Promise<NatsConnection> {
  try {
    return await connect(connectOptions(c, name));
  } catch (e) {
    throw new Error(`no NATS server reachable at ${c.servers.join(", ")} (${(e as Error).message}); is nats-server running, and is cluster.servers right?`);
  }
}

const CLUSTER_KEY = "cluster";

/** The cluster was started with another shape: never retried. */
export class ClusterMismatch extends ConfigError {}

/**
 * `f`, tried again every second while it fails and `again(error)` says so (else the error is
 * thrown). For JetStream requests a cluster answers only after a while: one that has just
 * started, or lost a node, answers "not enabled" or times out while it elects leaders, and
 * nats-server before 2.9.12 places a one-replica consumer (a KV watcher's, a key listing's) on
 * any of its stream's peers, a lost one included, so only a new try lands elsewhere.
 */
export async function retrying<T>(f: () => Promise<T>, again: (e: unknown) => boolean): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (!again(e)) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** For `retrying`: true until `ms` from now (on the monotonic clock: a wall clock set by NTP
 *  during start-up must not stretch or cut the wait). */
export function within(ms: number): () => boolean {
  const until = performance.now() + ms;
  return () => performance.now() <= until;
}

/** "JetStream system temporarily unavailable": a clustered server whose meta leader is not elected yet. */
const CLUSTER_NOT_AVAILABLE = 10008;

/**
 * A JetStream request that timed out, or that a server answered with "not available yet" (a
 * cluster without a majority of its nodes up, at boot): a slow or starting server, no setting to
 * fix. Seen with nats-server 2.9.10: timeouts first, then 10008 once the node has settled.
 */
function notAnswering(e: unknown): boolean {
  return e instanceof TimeoutError || (e instanceof JetStreamApiError && e.code === CLUSTER_NOT_AVAILABLE);
}

/**
 * ensureCluster, retried while JetStream is not answering yet (see retrying). Still not answering
 * after `waitMs` is an Error (exit 1, restarted by the systemd unit like a NATS server not up
 * yet); a refusal is a ConfigError (exit 2), JetStream disabled on the servers included (nobody
 * answers its API: nats-server without a `jetstream` block, or an account without JetStream),
 * also after `waitMs`, since servers of a cluster may join a little later.
 */
export async function joinCluster(nc: NatsConnection, c: ClusterConfig, input: string, waitMs = 30_000): Promise<ClusterHandles> {
  const inTime = within(waitMs);
  try {
    return await retrying(() => ensureCluster(nc, c, input), (e) => !(e instanceof ClusterMismatch) && inTime());
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new Error(`cluster: JetStream did not answer within ${waitMs / 1000} s: ${(e as Error).message}`);
  }
}

/**
 * The stream, the buckets, and the cluster's shape: the first worker records P in the models
 * bucket; a worker with another P is refused (its devices would hash to other partitions).
 */
export async function ensureCluster(nc: NatsConnection, c: ClusterConfig, input: string): Promise<ClusterHandles> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: 10_000 });
  } catch (e) {
    if (notAnswering(e)) throw e;
    throw new ConfigError([`cluster.servers: JetStream is not enabled on the NATS servers (${(e as Error).message})`]);
  }
  if (c.streams > c.partitions) {
    throw new ClusterMismatch([`cluster.streams: ${c.streams} streams for ${c.partitions} partitions; each stream needs at least one partition (streams ≤ partitions)`]);
  }
  for (let s = 0; s < c.streams; s++) await ensureStream(jsm, c, streamName(c.stream, c.streams, s), streamSubjects(c.subject, c.partitions, c.streams, s));
  const kvm = new Kvm(nc);
  const bucket = async (name: string, opts: Record<string, unknown>): Promise<KV> => {
    try {
      return await kvm.create(name, { replicas: c.replicas, ...opts });
    } catch (e) {
      if (notAnswering(e)) throw e;
      throw new ConfigError([`cluster: cannot open or create KV bucket ${name}: ${(e as Error).message}`]);
    }
  };
  // Checkpoints and floors are read from the bucket stream's leader, never through direct gets:
  // those may be answered by any replica, one that lags may return an older checkpoint than the
  // floor it is read with, and the readings in between would be skipped by the new owner.
  const models = await bucket(c.modelsBucket, { history: 1, allow_direct: false });
  const leases = await bucket(c.leasesBucket, { history: 1, ttl: Math.round(c.leaseSeconds * 1000) });
  // One stream is recorded as before streams could be several (clusters started then still match).
  const mine = JSON.stringify(c.streams > 1 ? { partitions: c.partitions, subject: c.subject, streams: c.streams } : { partitions: c.partitions, subject: c.subject });
  let recorded: string | undefined;
  try {
    await models.create(CLUSTER_KEY, mine);
    recorded = mine;
  } catch {
    recorded = (await models.get(CLUSTER_KEY))?.string();
  }
  if (recorded !== undefined && recorded !== mine) {
    let theirs: { partitions?: number; subject?: string; streams?: number } = {};
    try {
      theirs = JSON.parse(recorded);
    } catch {
      /* shown raw below */
    }
    throw new ClusterMismatch([
      `cluster.partitions: this worker has P=${c.partitions} (subject ${c.subject}, ${c.streams} stream(s)), the cluster was started with ` +
        `P=${theirs.partitions ?? "?"} (subject ${theirs.subject ?? "?"}, ${theirs.streams ?? 1} stream(s); key "${CLUSTER_KEY}" in bucket ${c.modelsBucket}); ` +
        `every worker and nats-server's mapping must use the same: ${mappingLine(input, theirs.subject ?? c.subject, theirs.partitions ?? c.partitions)}`,
    ]);
  }
  return { nc, jsm, models, leases };
}

/** The stream `name` on `subjects`, created when missing (another worker may create it at the same time). */
async function ensureStream(jsm: JetStreamManager, c: ClusterConfig, name: string, subjects: string[]): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch {
    /* missing: create it */
  }
  try {
    await jsm.streams.add({
      name,
      subjects,
      num_replicas: c.replicas,
      max_age: Math.round(c.retentionHours * 3600e9),
      discard: "old" as never,
    });
  } catch (e) {
    try {
      await jsm.streams.info(name);
    } catch {
      if (notAnswering(e)) throw e;
      throw new ConfigError([`cluster.stream: cannot create stream ${name} on ${subjects.join(", ").slice(0, 200)} with ${c.replicas} replicas: ${(e as Error).message}`]);
    }
  }
}
