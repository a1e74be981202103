/**
 * Text and shape checks on one parsed item, before anything reads it. PostgreSQL refuses NUL
 * (`\u0000`) in text and jsonb and unpaired surrogates in jsonb, and JSON.stringify overflows the
 * stack on deeply nested values: each of these used to fail a whole batch with a 500. Here they
 * become a rejection of the one item, naming the field.
 *
 * The walk is iterative (an explicit stack), so a 5,000-level document costs a loop, not the
 * call stack, and it stops at the first problem. Its cost is one visit per value, bounded by
 * the body limit.
 */

export const MAX_DEPTH = 32;
/** Segment's per-message limit; counted as characters of keys and strings (numbers: 8). */
export const MAX_ITEM_CHARS = 32 * 1024;

export interface Problem {
  field: string;
  message: string;
}

// No nested quantifiers and single-character lookarounds: linear in the string's length.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NUL = "\u0000";

function textProblem(s: string): string | null {
  if (s.includes(NUL)) return "contains a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "contains an unpaired UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** The sender's text made printable for an error message: bad characters become U+FFFD. */
function printable(s: string): string {
  return s.replaceAll(NUL, "\uFFFD").replace(new RegExp(LONE_SURROGATE.source, "g"), "\uFFFD");
}

/**
 * Whether a raw JSON body may hold NUL or surrogates at all. JSON can carry them only as
 * `\u` escapes (raw control characters are invalid JSON, and invalid UTF-8 decodes to U+FFFD),
 * so a body without `\u0000` and `\uD…`/`\ud…` escapes needs no per-string scan.
 */
export function mayHoldBadText(raw: Buffer | undefined): boolean {
  if (!raw) return true;
  return raw.includes("\\u0000") || raw.includes("\\ud") || raw.includes("\\uD");
}

interface Frame {
  value: object;
  depth: number;
  key: string;
  parent: Frame | null;
}

function pathOf(frame: Frame | null, leaf?: string): string {
  const parts: string[] = leaf === undefined ? [] : [leaf];
  for (let f = frame; f?.parent; f = f.parent) parts.push(f.key);
  // Keys are the sender's text: keep the reported path printable and short.
  return parts
    .reverse()
    .map((p) => printable(p.length > 64 ? `${p.slice(0, 61)}...` : p))
    .join(".");
}

/** The first problem in `item`, or null. `checkText` false skips the per-string scan. */
export function checkItem(item: object, checkText: boolean): Problem | null {
  const stack: Frame[] = [{ value: item, depth: 0, key: "", parent: null }];
  let chars = 0;
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value, depth } = frame;
    if (depth > MAX_DEPTH) {
      return { field: pathOf(frame), message: `is nested deeper than ${MAX_DEPTH} levels` };
    }
    const isArray = Array.isArray(value);
    const keys = isArray ? null : Object.keys(value);
    const n = isArray ? (value as unknown[]).length : (keys as string[]).length;
    for (let i = 0; i < n; i++) {
      const key = isArray ? String(i) : ((keys as string[])[i] ?? "");
      if (!isArray) {
        chars += key.length;
        if (checkText) {
          const bad = textProblem(key);
          if (bad) return { field: pathOf(frame, key), message: `has a key that ${bad}` };
        }
      }
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === "string") {
        chars += child.length;
        if (checkText) {
          const bad = textProblem(child);
          if (bad) return { field: pathOf(frame, key), message: bad };
        }
      } else if (child !== null && typeof child === "object") {
        stack.push({ value: child, depth: depth + 1, key, parent: frame });
      } else chars += 8;
      if (chars > MAX_ITEM_CHARS) {
        return {
          field: pathOf(frame, key),
          message: `makes the item larger than ${MAX_ITEM_CHARS / 1024} KB`,
        };
      }
    }
  }
  return null;
}
