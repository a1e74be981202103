import type { Knex } from "knex";

/**
 * SQL fragments that carry their own bindings. The audience compiler builds every statement
 * from these, and this module is the injection defence: static SQL can only come from template
 * literals written in this codebase, and everything else — attribute names, values, event
 * names, windows — can only enter through `param`, which emits a `?` placeholder and a binding.
 * There is no function that turns a runtime string into SQL text.
 *
 * knex.raw reads `?` as a value placeholder and `??` as an identifier placeholder, so static
 * text must contain no `?` at all (jsonb's `?` operators are not used; write `jsonb_exists` or
 * `#>` instead); `sql` throws if a template does, and `toRaw` if two placeholders touch.
 */
export interface Fragment {
  readonly text: string;
  readonly bindings: readonly Knex.Value[];
}

/** One bound value. Arrays bind as PostgreSQL arrays (cast them: `${param(path)}::text[]`). */
export function param(value: Knex.Value): Fragment {
  return { text: "?", bindings: [value] };
}

/** Static SQL with fragments interpolated in order. */
export function sql(strings: TemplateStringsArray, ...parts: Fragment[]): Fragment {
  let text = "";
  const bindings: Knex.Value[] = [];
  strings.forEach((s, i) => {
    if (s.includes("?")) throw new Error(`static SQL must not contain "?": ${s}`);
    text += s;
    const part = parts[i];
    if (part) {
      text += part.text;
      bindings.push(...part.bindings);
    }
  });
  return { text, bindings };
}

/** Fragments joined by a static separator (" and ", " or ", ", "). */
export function join(parts: readonly Fragment[], separator: " and " | " or " | ", "): Fragment {
  return {
    text: parts.map((p) => p.text).join(separator),
    bindings: parts.flatMap((p) => p.bindings),
  };
}

/** Runs a fragment through knex.raw. */
export function toRaw(knex: Knex | Knex.Transaction, f: Fragment): Knex.Raw {
  if (f.text.includes("??")) throw new Error("two placeholders touch: knex would read ??");
  return knex.raw(f.text, [...f.bindings]);
}
