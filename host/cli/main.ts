// `edgelearn <command>`: bin/edgelearn.js calls `main(argv)` and exits with what it returns. Each
// command is a file of this folder, loaded only when it runs.

import { PACKAGE_VERSION, ABI_VERSION } from "../version.js";
import { EXIT, UsageError, stdio, type Io } from "./common.js";
import { guardStdio } from "./closed-pipe.js";

export { EXIT } from "./common.js";

export const HELP = `Usage: edgelearn <command> [options]

Online machine learning for MQTT sensor feeds: a model per device learns from every reading,
publishes predictions, anomaly scores and drift alarms, and keeps no raw data.

Commands:
  run       the service: edgelearn run --config FILE | --broker URL [--task T] [--target F]
  demo      broker + simulated sensors + service + live summary (what \`npm start\` runs)
  replay    prequential run over a CSV file: edgelearn replay FILE.csv --task T --target COL
  inspect   decode a state blob: edgelearn inspect FILE
  compare   online vs batch learners on a CSV file: edgelearn compare FILE.csv --task T --target COL

\`edgelearn <command> --help\` describes each. \`edgelearn --version\` prints the version.

A reader that closes the output early (\`edgelearn inspect store.db | head -1\`) stops a one-shot
command (replay, inspect, compare) quietly with exit 0 at its next write; one with nothing more to
write keeps its exit code (inspect of a damaged blob: 5). run and demo go on serving and stop
writing to a closed stdout or stderr (the log is on stderr).

Exit codes:
  0  success (run/demo: stopped cleanly by SIGINT/SIGTERM or --duration)
  1  runtime failure
  2  bad usage or invalid configuration (nothing was started or connected)
  3  the learner module (build/learner.wasm) is missing: reinstall the package (in a source checkout, \`npm run build\`)
  4  an input file cannot be read or parsed (replay, inspect, compare)
  5  inspect: the blob is damaged or refused by the module
`;

type Command = (argv: string[], io: Io) => Promise<number>;

/** The long-running commands: a closed stdout or stderr must not stop them (closed-pipe.ts). */
const SERVICES = new Set(["run", "demo"]);

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./run.js")).runCommand,
  demo: async () => (await import("./demo.js")).demoCommand,
  replay: async () => (await import("./replay/command.js")).replayCommand,
  inspect: async () => (await import("./inspect.js")).inspectCommand,
  compare: async () => (await import("./compare.js")).compareCommand,
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...rest] = argv;
  // The process's own streams only: a caller that passes its io (a test) owns what it writes to.
  if (io === stdio) guardStdio(SERVICES.has(cmd) ? "service" : "command");
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    io.out(HELP);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (cmd === "--version" || cmd === "-v") {
    io.out(`edgelearn ${PACKAGE_VERSION} (state-blob ABI ${ABI_VERSION})\n`);
    return EXIT.OK;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    io.err(`edgelearn: unknown command ${JSON.stringify(cmd)} (commands: ${Object.keys(COMMANDS).join(", ")}; see edgelearn --help)\n`);
    return EXIT.USAGE;
  }
  try {
    return await (await load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`edgelearn ${cmd}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`edgelearn ${cmd}: ${(e as Error).stack ?? e}\n`);
    return EXIT.FAILURE;
  }
}
