// Throwaway PKI for TLS tests, made with the openssl command line: a CA, a broker certificate
// for 127.0.0.1 signed by it, a client certificate signed by it, and a second, unrelated CA with
// its own client certificate (what an untrusted party would present).
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed none of the above. */
  otherCa: string;
  /** A client certificate signed by otherCa. */
  otherClientCert: string;
  otherClientKey: string;
}

export function makePki(dir: string): TestPki {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = (name: string, cn: string) => run("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${cn}`);
  const sign = (name: string, cn: string, by: string, ext?: string) => {
    run("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    run("x509", "-req", "-in", `${name}.csr`, "-CA", `${by}.pem`, "-CAkey", `${by}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", ...(ext ? ["-extfile", ext] : []));
  };
  ca("ca", "edgelearn test CA");
  ca("other", "someone else");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  sign("server", "127.0.0.1", "ca", "san.ext");
  sign("client", "edgelearn", "ca");
  sign("otherclient", "edgelearn", "other");
  // Mosquitto may drop privileges; the test files are throwaway.
  for (const f of ["server.key", "server.pem", "ca.pem"]) chmodSync(join(dir, f), 0o644);
  const p = (f: string) => join(dir, f);
  return {
    ca: p("ca.pem"),
    serverCert: p("server.pem"),
    serverKey: p("server.key"),
    clientCert: p("client.pem"),
    clientKey: p("client.key"),
    otherCa: p("other.pem"),
    otherClientCert: p("otherclient.pem"),
    otherClientKey: p("otherclient.key"),
  };
}
