import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig, type LoadOptions } from "../../host/config/load.js";
import { configProblems } from "../helpers/config-problems.js";

// LoadOptions.overrides is typed as the configuration's settings, so a misspelled or mistyped
// override fails to compile instead of at start. The @ts-expect-error lines are the test: should
// the type loosen again, each becomes an unused directive and this file no longer compiles. The
// runtime checks show the same overrides are what validation refuses anyway.

test("misspelled or mistyped overrides do not compile, and are refused when forced through", () => {
  const misspelledSection: LoadOptions = {
    env: {},
    overrides: {
      // @ts-expect-error no section "htpp"
      htpp: { enabled: false },
    },
  };
  assert.match(configProblems(() => loadConfig(misspelledSection)).join("\n"), /htpp: unknown setting/);

  const misspelledDeep: LoadOptions = {
    env: {},
    overrides: {
      // @ts-expect-error store.checkpoint has everySeconds, not everySecond
      store: { checkpoint: { everySecond: 5 } },
    },
  };
  assert.match(configProblems(() => loadConfig(misspelledDeep)).join("\n"), /store\.checkpoint\.everySecond: unknown setting/);

  const mistyped: LoadOptions = {
    env: {},
    overrides: {
      // @ts-expect-error keepalive is a number of seconds
      mqtt: { keepalive: "15" },
    },
  };
  assert.match(configProblems(() => loadConfig(mistyped)).join("\n"), /mqtt\.keepalive: expected integer/);

  const partialListEntry: LoadOptions = {
    env: {},
    overrides: {
      model: { task: "anomaly" },
      devices: [
        // @ts-expect-error a list is given whole: each device rule needs its match
        { task: "anomaly" },
      ],
    },
  };
  assert.match(configProblems(() => loadConfig(partialListEntry)).join("\n"), /devices\[0\]\.match: required/);
});

test("overrides name any settings at any depth, lists whole", () => {
  const c = loadConfig({
    env: {},
    overrides: {
      mqtt: { reconnect: { maxDelayMs: 9000 } },
      model: { task: "regression", target: "power", params: { learning_rate: 0.05 }, ranges: { temperature: [-40, 85] } },
      devices: [{ match: "boiler-*", task: "anomaly", publish: { mode: "flagged" } }],
      http: { publicOrigin: ["https://edge.example.com"] },
    },
  });
  assert.equal(c.mqtt.reconnect.maxDelayMs, 9000);
  assert.equal(c.mqtt.reconnect.minDelayMs, loadConfig({ env: {} }).mqtt.reconnect.minDelayMs, "the rest of a section keeps its defaults");
  assert.deepEqual(c.model.ranges, { temperature: [-40, 85] });
  assert.deepEqual(c.devices, [{ match: "boiler-*", task: "anomaly", publish: { mode: "flagged" } }]);
});
