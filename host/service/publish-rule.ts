// Which readings get a prediction published, per device (output.publish, devices[].publish).
//
// - every (default, every: 1): every Nth reading of the device, counted from its first.
// - change: when the prediction (as printed: 7 significant digits) or the label differs from
//   the device's last published one.
// - flagged: only readings flagged anomaly or drift, or rejected by the guard.
// In every mode a flagged reading is always published, so thinning a fast feed never hides an
// anomaly. Drift events, health and replies are not affected.

import { Flag, type Learner } from "../learner/index.js";
import { MODULE_REASON_MASK } from "../codecs/index.js";
import type { Config, PublishConfig } from "../config/types.js";
import { predictionText } from "./format.js";

/** The default: a prediction for every reading. */
export const EVERY_READING: PublishConfig = { mode: "every", every: 1 };

/** Flags that make a reading worth publishing whatever the rule. */
export const FLAGGED_MASK = Flag.Anomaly | Flag.Drift | MODULE_REASON_MASK;

export type PublishMode = PublishConfig["mode"];

/** The rule for a device: its matching device rule's `publish` over `output.publish`. */
export function publishRuleFor(config: Config, rule: number): PublishConfig {
  const own = rule >= 0 ? config.devices[rule]?.publish : undefined;
  return own ? { ...config.output.publish, ...own } : config.output.publish;
}

/** Per-device state of the rule: what was published last, how many readings since. */
export class PublishGate {
  private seen = 0;
  private last = "";
  constructor(readonly rule: PublishConfig) {}

  /** Whether this reading's prediction goes out (`l` holds the reading's output record). */
  pass(flags: number, l: Learner): boolean {
    const r = this.rule;
    const flagged = (flags & FLAGGED_MASK) !== 0;
    switch (r.mode) {
      case "every":
        if (r.every === 1) return true;
        return this.seen++ % r.every === 0 || flagged;
      case "flagged":
        return flagged;
      case "change": {
        const p = predictionText(l, (flags & Flag.Predicted) !== 0);
        if (p === this.last && !flagged) return false;
        this.last = p;
        return true;
      }
    }
  }
}
