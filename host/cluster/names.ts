// Names in cluster mode: which partition a device belongs to, the subjects its readings and
// outputs travel on, and its key in the models bucket.
//
// The partition is computed by nats-server (mapping `{{partition(P,1)}}`: FNV-1a 32 of the
// device token, modulo P); `partitionOf` is the same function, used only to check that the
// server's mapping and this worker's `cluster.partitions` agree.

/** FNV-1a 32-bit over the UTF-8 bytes of `s`, modulo `p` (nats-server's partition()). */
export function partitionOf(device: string, p: number): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(device, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % p;
}

/**
 * Why a device name cannot travel through nats-server's MQTT bridge, or undefined when it can.
 * The bridge turns `/` into `.`, so a `.` in a topic level is refused by the server; spaces,
 * wildcards and `>` are not valid in a NATS subject token either.
 */
export function badDeviceName(name: string): string | undefined {
  if (name.length === 0) return "empty";
  if (name.length > 128) return "longer than 128 characters";
  if (/[.\s*>/+#]/.test(name)) return "contains '.', a space, '/', '*', '>', '+' or '#'";
  return undefined;
}

/** Subjects for one cluster (readings in, outputs out). */
export class Subjects {
  constructor(
    /** First token of the partitioned reading subjects. */
    readonly readings: string,
    /** The MQTT output prefix (topics.output) as a subject prefix. */
    readonly output: string,
  ) {}
  /** Readings of one partition: <readings>.<p>.* */
  partition(p: number): string {
    return `${this.readings}.${p}.*`;
  }
  prediction(device: string): string {
    return `${this.output}.${device}.prediction`;
  }
  drift(device: string): string {
    return `${this.output}.${device}.drift`;
  }
  /** Worker health: <output>.worker.<name>.health (MQTT edgelearn/worker/<name>/health). */
  workerHealth(worker: string): string {
    return `${this.output}.worker.${worker}.health`;
  }
}

/** Parses `<readings>.<p>.<device>`: the partition and device, or undefined. */
export function parseReadingSubject(subject: string): { partition: number; device: string } | undefined {
  const a = subject.indexOf(".");
  const b = subject.indexOf(".", a + 1);
  if (a < 0 || b < 0) return undefined;
  const partition = Number(subject.slice(a + 1, b));
  if (!Number.isInteger(partition)) return undefined;
  return { partition, device: subject.slice(b + 1) };
}

const PLAIN_KEY = /^[-_a-zA-Z0-9]+$/;

/** The device's key in the models bucket: d.<p>.<name>, or d.<p>.=<hex> for names a KV key cannot hold. */
export function modelKey(p: number, device: string): string {
  return `d.${p}.${PLAIN_KEY.test(device) ? device : "=" + Buffer.from(device, "utf8").toString("hex")}`;
}

/** The device name of a models-bucket key (inverse of modelKey). */
export function deviceOfKey(key: string): string {
  const name = key.slice(key.indexOf(".", 2) + 1);
  return name.startsWith("=") ? Buffer.from(name.slice(1), "hex").toString("utf8") : name;
}

/**
 * The streams of a cluster with P partitions over S streams: partition p lives in stream p mod S,
 * so each stream (and its leader, which JetStream places on some server of the cluster) takes
 * about 1/S of the readings. One stream keeps the configured name; several are <name>_<s>.
 */
export function streamName(base: string, streams: number, p: number): string {
  return streams <= 1 ? base : `${base}_${p % streams}`;
}

/** The reading subjects stream s holds: <subject>.*.* for one stream, else its partitions'. */
export function streamSubjects(subject: string, partitions: number, streams: number, s: number): string[] {
  if (streams <= 1) return [`${subject}.*.*`];
  const out: string[] = [];
  for (let p = s; p < partitions; p += streams) out.push(`${subject}.${p}.*`);
  return out;
}

/** The partition's floor key: every reading at or below this stream sequence is in a checkpoint. */
export function floorKey(p: number): string {
  return `f.${p}`;
}

/** The nats-server mapping line this configuration needs (README and error messages). */
export function mappingLine(input: string, readings: string, partitions: number): string {
  return `mappings = { "${input}.*": "${readings}.{{partition(${partitions},1)}}.{{wildcard(1)}}" }`;
}
