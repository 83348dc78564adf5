// A web origin as a browser names it in the Origin header: scheme, host and port, nothing else
// (http.publicOrigin). Comparing serialized origins, not hand-split strings, makes
// "https://Edge.example.com:443" and "https://edge.example.com" the same origin, and keeps
// "https://edge.example.com.evil.example" a different one.

/** The serialized origin `text` names (e.g. "https://edge.example.com"), or undefined when it is not just an origin. */
export function parseOrigin(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
  // A path, query, fragment or user name would be dropped by the comparison: refuse them rather
  // than let a setting look narrower than what it allows.
  if (u.username !== "" || u.password !== "" || u.pathname !== "/" || u.search !== "" || u.hash !== "" || /[?#]/.test(text)) return undefined;
  return u.origin;
}

/**
 * The entries of http.publicOrigin (one origin, or a list of them for a proxy serving the
 * dashboard under several names), each with the setting's path for a config error about it.
 */
export function publicOriginEntries(setting: string | readonly string[] | undefined): { path: string; text: string }[] {
  if (setting === undefined) return [];
  if (typeof setting === "string") return [{ path: "http.publicOrigin", text: setting }];
  return setting.map((text, i) => ({ path: `http.publicOrigin[${i}]`, text }));
}

/** http.publicOrigin serialized (the loader refused any entry that is not an origin). */
export function publicOrigins(setting: string | readonly string[] | undefined): ReadonlySet<string> {
  return new Set(publicOriginEntries(setting).flatMap((e) => parseOrigin(e.text) ?? []));
}
