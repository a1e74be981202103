import { type FS, filters, Liquid, type Template } from "liquidjs";
import {
  BudgetedCapture,
  BudgetedFor,
  BudgetedTablerow,
  isOverBudget,
  TEMPLATE_BUDGET,
} from "./budget.ts";

/**
 * The one Liquid instance all templates share. Configured so a template is data, not code
 * with reach: no file system (include/render/layout tags removed, and a file system that
 * refuses in case a future tag tries), own properties only (no `user.constructor`), and the
 * budgets of budget.ts (source size, allocation, counted loop steps and output, a last-resort
 * render time) so no template can hold the event loop. Validation, preview, simulation and
 * sending all render through this instance, so they share the budgets.
 */

/** Per-render state for filters. Rendering is synchronous, so one slot is enough. */
type RenderSlot = { trackLink: (url: string) => string; zone: string };
let slot: RenderSlot | null = null;

export function withRenderSlot<T>(next: RenderSlot, fn: () => T): T {
  const previous = slot;
  slot = next;
  try {
    return fn();
  } finally {
    slot = previous;
  }
}

const refusingFs: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
};

export const liquid = new Liquid({
  strictFilters: true,
  // Missing variables render empty: a profile without `firstName` must not block a send;
  // unknown variables are caught at validation time via `templateVariables`.
  strictVariables: false,
  ownPropertyOnly: true,
  fs: refusingFs,
  relativeReference: false,
  templates: {},
  // Deterministic defaults: the `date` filter would otherwise use the server's zone/locale.
  timezoneOffset: 0,
  locale: "en",
  parseLimit: TEMPLATE_BUDGET.parseChars,
  memoryLimit: TEMPLATE_BUDGET.memory,
  renderLimit: TEMPLATE_BUDGET.renderMs,
});

for (const tag of ["include", "render", "layout", "block"]) delete liquid.tags[tag];
liquid.registerTag("for", BudgetedFor);
liquid.registerTag("tablerow", BudgetedTablerow);
liquid.registerTag("capture", BudgetedCapture);

liquid.registerFilter("track", (url: unknown) => {
  const text = String(url ?? "");
  return slot ? slot.trackLink(text) : text;
});

// Epoch values in the engine are milliseconds; Liquid's `date` reads numbers as seconds.
// A number >= 1e11 is year 5138 in seconds, so treating it as ms is unambiguous.
const MS_THRESHOLD = 1e11;
const builtinDate = filters.date;
if (typeof builtinDate !== "function") throw new Error("liquidjs no longer ships a date filter");
liquid.registerFilter("date", function (value: unknown, format?: string, zone?: string | number) {
  const v = typeof value === "number" && Math.abs(value) >= MS_THRESHOLD ? value / 1000 : value;
  // Default to the recipient's zone so "{{ event.at | date: '%H:%M' }}" reads as local time.
  return builtinDate.call(this, v, format, zone ?? slot?.zone ?? "UTC");
});

/** `overBudget`: the failure is a budget (budget.ts), not a mistake in the template. */
export type ParseResult =
  | { ok: true; template: Template[] }
  | { ok: false; error: string; overBudget: boolean };

/**
 * Parsed templates keyed by source: one journey message renders for many users, and parsing
 * dominates. Measured on Node 20 under vitest (`BENCH=1 npx vitest run tests/engine/template`):
 * a 100-character Chinese promo with a filter, an `if` and `track` costs ~120–200µs to parse
 * and render but ~15–18µs to render from cache: ~10x, or 10+ CPU-seconds per 100k
 * recipients. Bounded (oldest entry evicted) so a stream of distinct ad-hoc
 * templates cannot grow memory without limit; parse errors are cached too.
 */
const MAX_CACHED = 2_000;
const cache = new Map<string, ParseResult>();

export function parseCached(source: string): ParseResult {
  const hit = cache.get(source);
  if (hit) return hit;
  let result: ParseResult;
  try {
    result = { ok: true, template: liquid.parse(source) };
  } catch (err) {
    result = { ok: false, error: errorMessage(err), overBudget: isOverBudget(err) };
  }
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, result);
  return result;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
