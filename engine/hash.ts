/**
 * FNV-1a, 32 bit: a stable, dependency-free hash for assigning split arms. Not cryptographic;
 * it only has to spread contact ids evenly and give the same answer on every machine forever
 * (changing it would move users between arms of running experiments).
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A stable point in [0, 100) for this key. */
export function bucket(key: string): number {
  return (fnv1a(key) / 0x1_0000_0000) * 100;
}
