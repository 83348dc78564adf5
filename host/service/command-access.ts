// Who may command: the edgelearn-side check for brokers without ACLs (config `commands`).
// With an ACL at the broker (docs/SECURITY.md) only the operator account can publish on the
// command topics at all; this check adds to that, it does not replace it.
//
// MQTT does not tell a subscriber who published a message, so "who" can only be what the
// message carries: MQTT 5 user properties. They are set by the sender, so the check is as strong
// as the secrecy of the accepted values, or as the broker plugin that stamps them on. The values
// are never logged; a refusal names only the property.

import type { IPublishPacket } from "mqtt";
import type { Config } from "../config/types.js";

/** undefined: the command may run; else why not (safe to log: no property values). */
export function commandRefusal(c: Config["commands"], properties: IPublishPacket["properties"] | undefined): string | undefined {
  if (!c.enabled) return "commands are disabled (commands.enabled: false)";
  const required = Object.entries(c.requireUserProperties);
  if (required.length === 0) return undefined;
  const given = properties?.userProperties ?? {};
  for (const [name, allowed] of required) {
    const v = given[name];
    const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (!values.some((x) => allowed.includes(String(x)))) return `not allowed: user property ${JSON.stringify(name).slice(0, 60)} missing or not accepted`;
  }
  return undefined;
}
