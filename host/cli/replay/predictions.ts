// Replay's predictions file. It is opened before the first row is read, so a path that cannot be
// written is reported at once; a write stream reported it later as an unhandled 'error' event,
// which ended the process with a stack trace. Lines are buffered and written synchronously, and a
// write error (a full disk) is kept for the command to report instead of thrown from a stream.

import { closeSync, openSync, writeSync } from "node:fs";

const FLUSH_BYTES = 1 << 16;

export class PredictionsFile {
  /** Why writing stopped, if it did (later lines are dropped). */
  error: string | undefined;
  private pending = "";

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /** The file, created or truncated, with its header line; or why it cannot be opened (an errno code). */
  static open(path: string): PredictionsFile | string {
    try {
      const f = new PredictionsFile(path, openSync(path, "w"));
      f.write("row,prediction,score,label,flags\n");
      return f;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }

  write(line: string): void {
    if (this.error) return;
    this.pending += line;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
  }

  /** Writes what is pending and closes the file; `error` says whether everything was written. */
  close(): void {
    this.flush();
    try {
      closeSync(this.fd);
    } catch (e) {
      this.error ??= (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }

  private flush(): void {
    if (this.error || this.pending === "") return;
    const bytes = Buffer.from(this.pending);
    this.pending = "";
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    } catch (e) {
      this.error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }
}
