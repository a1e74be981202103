import type { z } from "zod";
import { findUnstorable } from "../shared/text.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { JOURNEY_FORMAT, type Journey, JourneySchema } from "./journey.ts";

export type ParseResult = { ok: true; journey: Journey } | { ok: false; issues: Issue[] };

type ZodIssue = z.core.$ZodIssue;

/** Our code for a zod issue: refinements carry one in `params.code`; the format has its own. */
function codeOf(
  zi: ZodIssue,
): "bad_duration" | "bad_time" | "reserved_name" | "unsupported_format" | "schema" {
  if (zi.code === "custom") {
    const code = (zi.params as { code?: unknown } | undefined)?.code;
    if (code === "bad_duration" || code === "bad_time" || code === "reserved_name") return code;
  }
  if (zi.path.length === 1 && zi.path[0] === "format") return "unsupported_format";
  return "schema";
}

function pathOf(zi: ZodIssue): (string | number)[] {
  return zi.path.map((p) => (typeof p === "symbol" ? String(p) : p));
}

/** The node a JSON path points into, for painting the issue on the canvas. */
export function nodeIdAt(doc: unknown, path: readonly (string | number)[]): string | undefined {
  if (path[0] !== "nodes" || typeof path[1] !== "number") return undefined;
  const nodes = (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return undefined;
  const id = (nodes[path[1]] as { id?: unknown } | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

function message(zi: ZodIssue, doc: unknown): string {
  if (zi.path.length === 1 && zi.path[0] === "format") {
    const got = (doc as { format?: unknown })?.format;
    return `format must be "${JOURNEY_FORMAT}" (got ${JSON.stringify(got) ?? "nothing"})`;
  }
  const where = zi.path.length > 0 ? pathOf(zi).join(".") : "document";
  return `${where}: ${zi.message}`;
}

/**
 * Parses a journey document (already JSON-decoded). Never throws; the journey comes back with
 * keys in canonical order and unknown keys rejected (a typo such as `tempalte` is an error,
 * not a silently dropped field).
 */
export function parseJourney(json: unknown): ParseResult {
  const r = JourneySchema.safeParse(json);
  if (r.success) {
    // Well-formed, but a string the database cannot store would fail the save with a 500.
    const bad = findUnstorable(r.data);
    if (bad) {
      const msg = `${bad.join(".")}: holds a NUL character or a lone surrogate`;
      return { ok: false, issues: [issue("bad_text", msg, bad, nodeIdAt(json, bad))] };
    }
    return { ok: true, journey: r.data };
  }
  const issues = r.error.issues.map((zi) =>
    issue(codeOf(zi), message(zi, json), pathOf(zi), nodeIdAt(json, pathOf(zi))),
  );
  return { ok: false, issues };
}
