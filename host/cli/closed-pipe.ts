// What edgelearn does when the reader of its stdout or stderr goes away: `edgelearn inspect
// store.db | head -1`, `edgelearn run 2>&1 | grep -m1 running`, a log collector restarted. Node
// reports each later write to such a pipe as an 'error' event (EPIPE) on process.stdout or
// process.stderr, and an 'error' that nobody listens to ends the process with a stack trace.
//
// - A one-shot command (inspect, replay, compare, help) whose stdout is closed has no one left to
//   give the rest of its output to: at its next write it stops, prints nothing more, and exits 0.
//   The reader chose to stop reading; that is not a failure of the command, and a `set -o
//   pipefail` script piping it to `head` must not fail (tools killed by SIGPIPE exit 141 there).
//   A command that writes nothing more ends as it would have, with its own exit code: the reader
//   of `edgelearn inspect damaged.blob | true` is gone before the one write, and the 5 that says
//   the blob is damaged is still the command's answer (Node reports the closed pipe after the
//   write returned, often after the command decided its code, so exiting 0 then overrode it).
// - A service (run, demo) never stops for it: it goes on serving and writes nothing more to that
//   stream. Its log is on stderr, the usual stream to lose (`2>&1 | grep -m1`).
// - A closed stderr costs any command its diagnostics only: it goes on without writing there.

import { EXIT } from "./common.js";

/** "command": one result on stdout, then exit; "service": runs until stopped. */
export type StreamUse = "command" | "service";

let guarded = false;

/** Installs the handlers on the process's own stdout and stderr (once per process). */
export function guardStdio(use: StreamUse): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (use === "service") return mute(process.stdout);
    if (e.code === "EPIPE") return mute(process.stdout, () => process.exit(EXIT.OK));
    // Not a reader gone (an I/O error): the result is lost, which the exit code must say.
    mute(process.stdout);
    process.stderr.write(`edgelearn: cannot write the output (${e.code ?? e.message})\n`);
    process.exit(EXIT.FAILURE);
  });
  process.stderr.on("error", () => mute(process.stderr));
}

/**
 * Drops every later write to `stream`, after calling `onWrite` if given. Node's stdio streams
 * cannot be destroyed (destroy() is a no-op for them): without this, each log line would fail
 * again with its own EPIPE.
 */
function mute(stream: NodeJS.WriteStream, onWrite?: () => void): void {
  stream.write = ((...args: unknown[]) => {
    onWrite?.();
    const done = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  }) as NodeJS.WriteStream["write"];
}
