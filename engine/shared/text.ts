/**
 * Text PostgreSQL cannot store: a NUL character, or half of a UTF-16 surrogate pair. Both are
 * valid in a JavaScript string and in JSON, and both make the database refuse the statement
 * (text: "invalid byte sequence"; jsonb: "unsupported Unicode escape sequence"), which would
 * surface as a 500 after the request was accepted. Documents and requests are checked for them
 * first, so the answer is a 4xx naming the field.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isUnstorable(s: string): boolean {
  return s.includes("\u0000") || LONE_SURROGATE.test(s);
}

export type TextPath = (string | number)[];

/**
 * The path of the first string or object key in `value` that cannot be stored, or null.
 * Iterative with parent links (the path is built only for the offender), so a body nested a
 * million levels deep costs its size, not the stack or a copy of the path per level.
 */
export function findUnstorable(value: unknown): TextPath | null {
  type Frame = { v: unknown; key: string | number; parent: Frame | null };
  const pathOf = (f: Frame | null, last?: string): TextPath => {
    const out: TextPath = last === undefined ? [] : [last];
    for (let at = f; at?.parent; at = at.parent) out.push(at.key);
    return out.reverse();
  };
  const stack: Frame[] = [{ v: value, key: "", parent: null }];
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    const v = f.v;
    if (typeof v === "string") {
      if (isUnstorable(v)) return pathOf(f);
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: i, parent: f });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string;
      if (isUnstorable(k)) return pathOf(f, k);
      stack.push({ v: (v as Record<string, unknown>)[k], key: k, parent: f });
    }
  }
  return null;
}
