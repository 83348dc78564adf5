// The Node.js versions the package declares (package.json engines.node) are ones every package it
// installs accepts: a dependency that declares a newer floor makes `npm install` warn on every
// install and fail with engine-strict (@nats-io/nuid 3 wants Node 22; the 3.3 line of the NATS
// client, pinned in package.json, does not). Read from package-lock.json, the tree users get.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import semver from "semver";

type Lock = { packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean; engines?: { node?: string } }> };

test("every installed runtime dependency accepts the package's oldest Node.js", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
  const oldest = semver.minVersion(pkg.engines.node)!;
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as Lock;
  const refuse = Object.entries(lock.packages)
    .filter(([path, p]) => path !== "" && !p.dev && !p.devOptional && p.engines?.node)
    // the newest release of the oldest major counts: a floor inside Node 20 (>=20.6) is met by an update
    .filter(([, p]) => !semver.satisfies(`${oldest.major}.999.999`, p.engines!.node!))
    .map(([path, p]) => `${path.replace(/^node_modules\//, "")} wants node ${p.engines!.node}`);
  assert.deepEqual(refuse, [], `package.json says node ${pkg.engines.node}`);
});
