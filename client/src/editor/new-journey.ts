import type { Journey } from "../../../engine/index.ts";

/**
 * New-journey helpers for the journeys list. Kept apart from the editor so the list page does
 * not bundle the engine: the format literal is checked against the engine's `Journey` type
 * instead of importing JOURNEY_FORMAT's module (which pulls in every node type).
 */
const FORMAT = "waymark/journey@1" satisfies Journey["format"];

/** A blank journey: just a trigger, which every journey needs exactly one of. */
export function blankJourney(id: string, name: string): Journey {
  return {
    format: FORMAT,
    id,
    name,
    nodes: [{ id: "start", type: "trigger", trigger: { kind: "api" }, position: { x: 0, y: 0 } }],
    edges: [],
  };
}

/** "Spring win-back!" → "spring-win-back": journey ids are 1-64 of [A-Za-z0-9_-]. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return slug || "journey";
}

/** "cart" → "cart-copy", then "cart-copy-2"…: the first id not taken. */
export function copyId(id: string, taken: ReadonlySet<string>): string {
  const base = `${id}-copy`.slice(0, 64);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 60)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
