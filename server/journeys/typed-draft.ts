import type { Knex } from "knex";
import { z } from "zod";
import { parseJourney } from "../../engine/format/parse.ts";
import { isReservedName } from "../../engine/format/primitives.ts";
import { definitionOfType, NODE_TYPES } from "../../engine/nodes/registry.ts";
import { DomainError } from "../domain-error.ts";
import { saveDraft } from "./store.ts";

/**
 * A draft as the operator typed it, when it does not parse as the journey format (issue 16: one
 * half-filled field used to block saving the whole draft). It is stored as data, beside the
 * last well-formed draft, so it must stay something the editor can open and the database can
 * hold, whoever sends it:
 * - the journey's skeleton — nodes with an id and a known type (and, but for exit, their
 *   type's settings object), edges from/to — is required, because the canvas is drawn from it;
 *   what is inside a node's settings is free: that is where a half-filled field lives;
 * - at most MAX_BYTES of JSON and MAX_DEPTH levels (well above any real journey: the largest
 *   example is ~6 KB and 8 deep), node and edge counts bounded like a published journey's;
 * - no `__proto__`, `constructor` or `prototype` key anywhere: the client spreads these
 *   objects, and such a key must never reach an object's prototype chain;
 * - JSON only (it arrives through the JSON body parser; NUL and lone surrogates are refused by
 *   the route guard before this runs).
 */
export const MAX_TYPED_DRAFT_BYTES = 256 * 1024;
const MAX_DEPTH = 32;
const MAX_NODES = 1000;
const MAX_EDGES = 4000;

/** Node ids become keys on the canvas and in the engine: the format's reserved names stay out. */
const TypedId = z
  .string()
  .max(64)
  .refine((s) => !isReservedName(s), "may not be __proto__, constructor or prototype");
const TypedNode = z.looseObject({
  id: TypedId.refine((s) => s.length > 0, "a node needs an id"),
  type: z.enum(NODE_TYPES as [string, ...string[]]),
});
const TypedEdge = z.looseObject({
  from: TypedId,
  to: TypedId,
  path: z.string().max(64).optional(),
});
const TypedDraft = z.looseObject({
  format: z.string().max(64),
  id: z.string().max(64),
  name: z.string().max(200),
  nodes: z.array(TypedNode).max(MAX_NODES),
  edges: z.array(TypedEdge).max(MAX_EDGES),
});

function bad(field: string, message: string): never {
  throw new DomainError("invalid", "invalid_draft", `${field}: ${message}`);
}

/** The first reserved key or over-deep value, by path; iterative so depth costs no stack. */
function findHostile(value: unknown): { path: string; problem: string } | null {
  type Frame = { v: unknown; path: string; depth: number };
  const stack: Frame[] = [{ v: value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    if (f.v === null || typeof f.v !== "object") continue;
    if (f.depth >= MAX_DEPTH)
      return { path: f.path || "draft", problem: `nested deeper than ${MAX_DEPTH} levels` };
    const join = (k: string | number) => (f.path ? `${f.path}.${k}` : String(k));
    if (Array.isArray(f.v)) {
      f.v.forEach((v, i) => {
        stack.push({ v, path: join(i), depth: f.depth + 1 });
      });
      continue;
    }
    for (const k of Object.keys(f.v)) {
      if (isReservedName(k))
        return { path: join(k), problem: "__proto__, constructor and prototype are not keys" };
      stack.push({ v: (f.v as Record<string, unknown>)[k], path: join(k), depth: f.depth + 1 });
    }
  }
  return null;
}

/**
 * Checks a draft that failed the strict schema before it is stored as typed; answers 413 over
 * the size limit and 400 naming the field otherwise. Returns its JSON text.
 */
export function typedDraftText(id: string, doc: unknown): string {
  const text = JSON.stringify(doc) ?? "null";
  if (Buffer.byteLength(text) > MAX_TYPED_DRAFT_BYTES)
    throw new DomainError(
      "too_large",
      "draft_too_large",
      `draft: ${Buffer.byteLength(text)} bytes of JSON, more than ${MAX_TYPED_DRAFT_BYTES}`,
    );
  const hostile = findHostile(doc);
  if (hostile) bad(hostile.path, hostile.problem);
  const r = TypedDraft.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues[0];
    bad(first?.path.join(".") || "draft", first?.message ?? "not a journey draft");
  }
  if (r.data.id !== id) bad("id", `the document's id "${r.data.id}" is not "${id}"`);
  r.data.nodes.forEach((n, i) => {
    const settings = n[n.type];
    if (
      definitionOfType(n.type)?.hasSettings !== false &&
      (typeof settings !== "object" || settings === null || Array.isArray(settings))
    )
      bad(`nodes.${i}.${n.type}`, `a ${n.type} node needs its settings object`);
  });
  return text;
}

/**
 * Autosave: stores the draft whatever state it is in. A document that parses replaces the
 * draft (saveDraft); one that does not is kept as typed beside the last well-formed draft,
 * after the checks of typed-draft.ts (bounded, no hostile keys, the skeleton the editor needs).
 * Validation issues are the caller's to show; only publishing is refused while they are errors.
 */
export async function saveDraftAsTyped(
  knex: Knex,
  id: string,
  doc: unknown,
): Promise<{ draft: unknown; wellFormed: boolean }> {
  const parsed = parseJourney(doc);
  if (parsed.ok) {
    if (parsed.journey.id !== id)
      throw new DomainError(
        "invalid",
        "id_mismatch",
        `the document's id "${parsed.journey.id}" is not "${id}"`,
      );
    return { draft: await saveDraft(knex, id, parsed.journey), wellFormed: true };
  }
  const text = typedDraftText(id, doc);
  return knex.transaction(async (trx) => {
    const row = await trx("journeys").where({ id }).forUpdate().first("status");
    if (!row) throw new DomainError("not_found", "not_found", `no journey "${id}"`);
    if (row.status === "archived")
      throw new DomainError("conflict", "archived", "an archived journey cannot be edited");
    const now = new Date();
    // Every journey has its draft row from creation (createJourney), so this updates one row.
    await trx("journey_versions")
      .where({ journey_id: id, is_draft: true })
      .update({ draft_as_typed: text, updated_at: now });
    const name = (doc as { name?: unknown }).name;
    const rename = typeof name === "string" && name.trim() !== "" ? { name } : {};
    await trx("journeys")
      .where({ id })
      .update({ ...rename, updated_at: now });
    return { draft: doc, wellFormed: false };
  });
}
