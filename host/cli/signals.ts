// How a long-running command (run, demo) ends: the first SIGINT/SIGTERM stops it cleanly, a
// second one exits at once.

import { EXIT } from "./common.js";

/** Resolves with 0 after the first SIGINT/SIGTERM and `stop`; a second signal exits at once with 1. */
export function waitForSignal(stop: () => Promise<void>, timeoutMs?: number): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: string) => {
      if (stopping) {
        process.stderr.write(`edgelearn: ${sig} again, exiting without a clean shutdown\n`);
        process.exit(EXIT.FAILURE);
      }
      stopping = true;
      finish();
    };
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      stop().then(
        () => {
          process.removeListener("SIGINT", onSignal);
          process.removeListener("SIGTERM", onSignal);
          resolve(EXIT.OK);
        },
        (e) => {
          process.stderr.write(`edgelearn: shutdown failed: ${(e as Error).message}\n`);
          resolve(EXIT.FAILURE);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        if (!stopping) {
          stopping = true;
          finish();
        }
      }, timeoutMs);
    }
  });
}
