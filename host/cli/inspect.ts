// `edgelearn inspect FILE`: what a state blob holds: header, CRC status, the module's verdict, and
// when the module accepts it: kind, configuration (parameters), counters and metrics.

import { readFileSync } from "node:fs";
import { Learner, HEADER_BYTES } from "../learner/index.js";
import { inspectBlob as describeBlob } from "../learner/inspect.js";
import { KIND_TASK } from "../devices/model.js";
import type { CheckpointMeta } from "../store/types.js";
import { EXIT, UsageError, parse, checkModule, type Io } from "./common.js";

export const INSPECT_HELP = `Usage: edgelearn inspect FILE [--json]
       edgelearn inspect STORE.db [--device NAME [--seq N]] [--json]

Decodes a state blob (a device's model: what \`snapshot\` and the store write): the header
(magic, ABI version, kind, length, CRC-32 and whether it matches), whether the module accepts
it, and if so its configuration (parameters, feature count), counters and metrics.

Given the SQLite store (store.path, opened read-only, safe while the service runs): lists its
devices and their checkpoints; with --device, decodes that device's newest checkpoint (or --seq).

Options:
  --device NAME  (store) the device to decode
  --seq N        (store) that checkpoint instead of the newest
  --json         one JSON object instead of text
  -h, --help     this text

Exit codes: 0 the blob is valid, 4 the file cannot be read, 5 the blob is damaged or
refused by the module, 2 bad usage, 3 learner module missing.
`;

/** The CLI's view of a blob (text or --json): host/learner/inspect.ts's record, formatted. */
export function inspectBlob(blob: Uint8Array, learner: Learner): Record<string, unknown> {
  const info = describeBlob(blob, learner);
  const r: Record<string, unknown> = { bytes: info.bytes };
  const h = info.header;
  if (!h) {
    r.valid = false;
    r.error = `too short for a header (${blob.length} < ${HEADER_BYTES} bytes)`;
    return r;
  }
  const hex8 = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
  r.magic = h.magicOk ? "ELRN" : `0x${h.magic.toString(16)} (not ELRN)`;
  r.abi_version = h.abiVersion;
  r.kind = h.kindName ? `${h.kindName} (${h.kind}, ${KIND_TASK[h.kind]})` : `unknown (${h.kind})`;
  r.length = h.length;
  r.crc = { stored: hex8(h.crcStored), computed: h.crcComputed === undefined ? null : hex8(h.crcComputed), ok: h.crcOk };
  r.valid = info.valid;
  if (!info.valid) {
    r.error = `refused by the module: ${info.errorName}`;
    return r;
  }
  r.features = info.features;
  r.params = info.params;
  r.counts = info.counts;
  const metrics: Record<string, number | null> = {};
  for (const [name, m] of Object.entries(info.metrics ?? {})) metrics[name] = Number.isFinite(m) ? +m.toPrecision(7) : null;
  r.metrics = metrics;
  return r;
}

function text(r: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (v && typeof v === "object") {
      lines.push(`${k}:`);
      const entries = Object.entries(v);
      const width = Math.max(14, ...entries.map(([k2]) => k2.length)); // names line up, however long
      for (const [k2, v2] of entries) lines.push(`  ${k2.padEnd(width)} ${v2}`);
    } else lines.push(`${k.padEnd(16)} ${v}`);
  }
  return lines.join("\n") + "\n";
}

/** Lists a store's checkpoints, or returns one device's blob (newest or `seq`). Read-only. */
async function fromStore(
  file: string,
  device: string | undefined,
  seq: number | undefined,
): Promise<{ rows: CheckpointMeta[] } | { row: CheckpointMeta; blob: Uint8Array } | string> {
  const { default: Database } = await import("better-sqlite3");
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    return `cannot open the store: ${(e as Error).message}`;
  }
  try {
    // The columns of host/store/sqlite.ts, as CheckpointMeta.
    const cols = "device, seq, time, readings, crc, bytes, known_good = 1 AS knownGood";
    const meta = (r: CheckpointMeta) => ({ ...r, knownGood: Boolean(r.knownGood) });
    if (device === undefined) return { rows: (db.prepare(`SELECT ${cols} FROM checkpoints ORDER BY device, seq DESC`).all() as CheckpointMeta[]).map(meta) };
    const row = (
      seq === undefined
        ? db.prepare(`SELECT ${cols}, blob FROM checkpoints WHERE device = ? ORDER BY seq DESC LIMIT 1`).get(device)
        : db.prepare(`SELECT ${cols}, blob FROM checkpoints WHERE device = ? AND seq = ?`).get(device, seq)
    ) as (CheckpointMeta & { blob: Buffer }) | undefined;
    if (!row) return `no checkpoint for device ${JSON.stringify(device)}${seq === undefined ? "" : ` with seq ${seq}`}`;
    const { blob, ...m } = row;
    return { row: meta(m), blob: new Uint8Array(blob) };
  } catch (e) {
    return `cannot read the store: ${(e as Error).message}`;
  } finally {
    db.close();
  }
}

const SQLITE_MAGIC = "SQLite format 3\0";

export async function inspectCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    "inspect",
    argv,
    { json: { type: "boolean" }, device: { type: "string" }, seq: { type: "string" }, help: { type: "boolean", short: "h" } },
    1,
  );
  if (values.help) {
    io.out(INSPECT_HELP);
    return EXIT.OK;
  }
  const file = positionals[0];
  if (!file) throw new UsageError("inspect needs a FILE (see edgelearn inspect --help)");
  if (!checkModule(io)) return EXIT.NO_MODULE;
  let blob: Uint8Array;
  try {
    blob = new Uint8Array(readFileSync(file));
  } catch (e) {
    io.err(`edgelearn: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return EXIT.BAD_INPUT;
  }
  let head: Record<string, unknown> = { file };
  if (Buffer.from(blob.subarray(0, 16)).toString("latin1") === SQLITE_MAGIC) {
    // Without a device, --seq would be ignored and the listing read as that checkpoint's.
    if (values.seq !== undefined && values.device === undefined) throw new UsageError("--seq needs --device NAME");
    // Number("") and Number(" ") are 0: an empty --seq looked up checkpoint 0.
    if (values.seq !== undefined && !/^\d+$/.test(values.seq)) throw new UsageError(`--seq must be a checkpoint number, got ${JSON.stringify(values.seq)}`);
    const seq = values.seq === undefined ? undefined : Number(values.seq);
    const got = await fromStore(file, values.device, seq);
    if (typeof got === "string") {
      io.err(`edgelearn: ${file}: ${got}\n`);
      return EXIT.BAD_INPUT;
    }
    if ("rows" in got) {
      if (values.json) io.out(JSON.stringify({ file, checkpoints: got.rows }) + "\n");
      else {
        io.out(`${file}: ${new Set(got.rows.map((r) => r.device)).size} devices, ${got.rows.length} checkpoints\n`);
        for (const r of got.rows) {
          io.out(`  ${r.device}  seq ${r.seq}  ${new Date(r.time).toISOString()}  ${r.readings} readings  ${r.bytes} bytes  crc 0x${(r.crc >>> 0).toString(16).padStart(8, "0")}${r.knownGood ? "  known-good" : ""}\n`);
        }
      }
      return EXIT.OK;
    }
    blob = got.blob;
    head = { file, device: got.row.device, seq: got.row.seq, time: new Date(got.row.time).toISOString(), known_good: got.row.knownGood };
  } else if (values.device !== undefined || values.seq !== undefined) {
    throw new UsageError("--device and --seq apply to a SQLite store file");
  }
  const r = inspectBlob(blob, new Learner());
  io.out(values.json ? JSON.stringify({ ...head, ...r }) + "\n" : text({ ...head, ...r }));
  return r.valid ? EXIT.OK : EXIT.INVALID_BLOB;
}
