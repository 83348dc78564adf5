// The names a SenML reading's fields answer to. A record's field is named bn + n (its resolved
// name); its bare n is accepted too, since features are usually configured and inferred by it,
// but only while it names one field of the reading. Two records with the same n under different
// base names (bn "inlet/" and "outlet/", n "temp"), or an n that is another record's resolved
// name, would otherwise share one feature holding whichever value came last, and inference would
// list that feature twice.

/**
 * Adds each unambiguous bare name to `fields` as an alias of its field, and returns the reading's
 * fields once each for feature inference: by bare name where it is unambiguous, else by resolved
 * name. `bareOf` maps each resolved name to its bare name, in the order the records came.
 */
export function addBareNames(fields: Map<string, number | string>, bareOf: ReadonlyMap<string, string>): string[] {
  const uses = new Map<string, number>();
  for (const bare of bareOf.values()) uses.set(bare, (uses.get(bare) ?? 0) + 1);
  const names: string[] = [];
  for (const [name, bare] of bareOf) {
    if (bare === name) names.push(name);
    else if (uses.get(bare) === 1 && !fields.has(bare)) {
      fields.set(bare, fields.get(name)!);
      names.push(bare);
    } else names.push(name);
  }
  return names;
}
