// Reading the replayed file: streamed line by line (memory does not grow with its length), split
// into cells; the header row first. A read error ends the rows and is kept for the caller.

import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { splitCsvLine } from "../../tools/compare/csv.js";

export class CsvRows {
  /** The header's cells, trimmed; undefined until read (and for an empty file). */
  header: string[] | undefined;
  /** Bytes read so far (for progress against `size`). */
  bytes = 0;
  /** Why reading stopped early, if it did. */
  error: Error | undefined;

  private constructor(
    readonly file: string,
    readonly size: number,
  ) {}

  /** The file's rows, or the reason it cannot be read (stat failed). */
  static open(file: string): CsvRows | string {
    try {
      return new CsvRows(file, statSync(file).size);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }

  /** The data rows' cells, in order; blank lines are skipped. A read error ends them (`error`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<string[]> {
    const input = createReadStream(this.file);
    input.on("error", (e) => (this.error = e));
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        this.bytes += line.length + 1;
        if (line.trim() === "") continue;
        const cells = splitCsvLine(line);
        if (!this.header) this.header = cells.map((c) => c.trim());
        else yield cells;
      }
    } catch (e) {
      // readline rethrows the stream's error (a folder given as FILE.csv: EISDIR, an I/O error):
      // kept, so the command reports a file it cannot read (exit 4), not a crash (exit 1).
      this.error ??= e as Error;
    }
  }
}

/** A cell as a number: NaN when empty or not a number (the guard refuses such rows). */
export function cellNumber(c: string | undefined): number {
  if (c === undefined) return NaN;
  const s = c.trim();
  return s === "" ? NaN : Number(s);
}
