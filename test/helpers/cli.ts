// The edgelearn command run in-process, its output collected: what a test asserts on.
import { main } from "../../host/cli/main.js";

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}
