// A classification target with one class only: compare refuses it (exit 4, naming the class),
// as any learner that always answers that class is never wrong. Before, the one class was coded
// as class 0 whatever its name ("1" and "yes" too), beside an invented second class.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../../host/tools/compare/csv.js";
import { runCompare } from "../../host/cli/compare.js";
import { EXIT } from "../../host/cli/common.js";
import { tempDir } from "../helpers/tmp.js";

const csv = (labels: string[]) => "x,door\n" + labels.map((l, i) => `${i},${l}`).join("\n") + "\n";

test("one class in the target is refused, naming the target and the class", () => {
  for (const label of ["open", "1", "yes", "0"]) {
    assert.throws(
      () => parseCsv(csv([label, label, "", label]), { task: "classification", target: "door" }),
      new RegExp(`classification target "door" has one class only \\("${label}" in every row with a value\\)`),
    );
  }
  assert.throws(() => parseCsv(csv(["", ""]), { task: "classification", target: "door" }), /classification target "door" has no values/);
});

test("compare on a one-class file: exit 4 with one line, nothing on stdout", async () => {
  const file = join(tempDir("one-class"), "door.csv");
  writeFileSync(file, csv(Array.from({ length: 50 }, () => "closed")));
  let out = "";
  let err = "";
  const code = await runCompare([file, "--task", "classification", "--target", "door"], { out: (s) => void (out += s), err: (s) => void (err += s), createLearner: () => assert.fail("no learner for a one-class file") });
  assert.equal(code, EXIT.BAD_INPUT);
  assert.equal(out, "");
  assert.equal(err.trim().split("\n").length, 1, err);
  assert.match(err, /^edgelearn compare: .*door\.csv: classification target "door" has one class only \("closed"/);
});

test("a yes/no word keeps its class whatever the other label is", () => {
  const cases: [string[], [string, string]][] = [
    [["1", "unknown"], ["unknown", "1"]],
    [["no", "maybe"], ["no", "maybe"]],
    [["yes", "no"], ["no", "yes"]],
    [["TRUE", "other"], ["other", "TRUE"]],
    [["b", "a"], ["a", "b"]],
  ];
  for (const [labels, classes] of cases) {
    const ds = parseCsv(csv(labels), { task: "classification", target: "door" });
    assert.deepEqual(ds.classes, classes, labels.join("/"));
    assert.deepEqual([...ds.y], labels.map((l) => (l === classes[1] ? 1 : 0)), labels.join("/"));
  }
});
