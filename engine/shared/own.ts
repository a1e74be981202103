/**
 * Objects keyed by outside names (node ids, attribute names, event names, template paths) are
 * read through these, never with a bare `o[key]`: a plain object answers `o["constructor"]` and
 * `o["toString"]` from Object.prototype, so a node called `toString` would count its visits as
 * "function toString() { [native code] }1". Snapshots and contact attributes come from
 * JSON.parse, so they are ordinary objects and the read has to be the careful one.
 */
export function own<V>(o: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** An empty object with no prototype, for maps built here and keyed by outside names. */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
