import { z } from "zod";

/**
 * Text PostgreSQL cannot store: NUL (refused in text and jsonb) and lone UTF-16 surrogates
 * (jsonb refuses the `\ud800` escape JSON.stringify writes for them). Found before any write,
 * so hostile text is a 4xx naming the field instead of a database error.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this looks for
const BAD = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(s: string): boolean {
  return !BAD.test(s);
}

/** A zod string that PostgreSQL can store. */
export const StorableText = z.string().refine(isStorableText, "contains NUL or a lone surrogate");

/**
 * The path of the first string (or object key) in `value` PostgreSQL cannot store; null when
 * there is none. Iterative with a bound, so deep or huge documents cost at most `budget` steps.
 */
export function unstorableTextPath(value: unknown, budget = 1_000_000): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  let steps = 0;
  while (stack.length > 0 && steps++ < budget) {
    const { v, path } = stack.pop() as { v: unknown; path: (string | number)[] };
    if (typeof v === "string") {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        stack.push({ v: item, path: [...path, i] });
      });
    } else if (typeof v === "object" && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (!isStorableText(k)) return [...path, k];
        stack.push({ v: item, path: [...path, k] });
      }
    }
  }
  return null;
}
