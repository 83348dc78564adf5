// The demo's ports: the usual one when it is free, else any free one (a second demo, or a real
// service already on the machine, must not stop the demo).

import { createServer } from "node:net";

export function portOrFree(preferred: number, host = "127.0.0.1"): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(p, host, () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}
