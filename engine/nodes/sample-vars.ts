import { isReservedName } from "../format/primitives.ts";
import { own } from "../shared/own.ts";

/** A placeholder as long as a typical first name or coupon code, for the SMS length estimate. */
const SAMPLE = "Sample1234";

/**
 * Sample values for every path the template reads, for the length estimate. Reads are own
 * properties only and reserved names are never keys: the paths are the template author's, and
 * `user.__proto__.x` walking into Object.prototype once polluted every object in the process
 * (validation refuses such paths before this runs, see `reserved_name`). The objects are
 * ordinary ones so Liquid prints a nested one as it would a contact's (`[object Object]`).
 */
export function sampleVars(paths: readonly string[][]): Map<string, Record<string, unknown>> {
  const roots = new Map<string, Record<string, unknown>>([
    ["user", {}],
    ["event", {}],
    ["journey", {}],
  ]);
  for (const path of paths) {
    const [root, ...rest] = path;
    const top = root === undefined ? undefined : roots.get(root);
    if (!top || rest.length === 0 || rest.some(isReservedName)) continue;
    let cur: Record<string, unknown> = top;
    rest.forEach((key, i) => {
      const next = own(cur, key);
      if (i === rest.length - 1) {
        if (next === undefined) cur[key] = SAMPLE;
        return;
      }
      if (typeof next === "object" && next !== null) cur = next as Record<string, unknown>;
      else {
        const fresh: Record<string, unknown> = {};
        cur[key] = fresh;
        cur = fresh;
      }
    });
  }
  return roots;
}
