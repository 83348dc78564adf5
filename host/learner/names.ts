// How the ABI's CamelCase names (flags, metrics, error codes) are spelled in payloads, health
// and logs: snake_case, e.g. DriftWarning → drift_warning, RejRange → rej_range.

export function snakeCase(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
