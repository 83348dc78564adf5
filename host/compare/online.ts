// The online learner of `edgelearn compare`: the edgelearn module, through host/learner.
// (Placeholder until the typed wrapper lands.)

import type { Dataset, Task } from "./csv.js";
import type { OnlineLearner } from "./runners.js";

export async function createModuleLearner(_task: Task, _ds: Dataset): Promise<OnlineLearner> {
  throw new Error("the edgelearn module wrapper (host/learner) is not available in this build");
}
