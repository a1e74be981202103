/**
 * Shallow copies for the engine's hot path. V8 runs `Object.assign({}, o)` several times faster
 * than `{ ...o }` on objects that came from JSON.parse (measured here: 0.04 µs against 0.5 µs
 * for a two-key object; the ticker's engine step went from ~11 to ~7.5 µs per user).
 *
 * The one difference: assignment treats a `__proto__` key as the prototype, where a literal or
 * a spread makes it an own property. Node ids and contact attributes may be named `__proto__`,
 * so those fall back to the literal form.
 */
export function copyOf<T extends object>(o: T): T {
  return Object.hasOwn(o, "__proto__") ? { ...o } : Object.assign({}, o);
}

/** `{ ...o, [key]: value }`, fast (see copyOf). */
export function withKey<V>(o: Record<string, V>, key: string, value: V): Record<string, V> {
  if (key === "__proto__" || Object.hasOwn(o, "__proto__")) return { ...o, [key]: value };
  const out = Object.assign({}, o);
  out[key] = value;
  return out;
}
