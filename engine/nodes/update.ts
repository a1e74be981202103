import { z } from "zod";
import type { Effect } from "../effects.ts";
import { isReservedName, NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { assertNever } from "../shared/assert-never.ts";
import { own } from "../shared/own.ts";
import { renderTemplate, templateVariableSegments } from "../template/index.ts";
import { log } from "../timeline.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { stepTemplateVars } from "./template-vars.ts";
import { defineNode, type StepContext, type StepResult } from "./types.ts";

/**
 * "Update contact": sets a profile attribute to a value (Liquid allowed) or adds to a numeric
 * one (`winback_attempts` +1), so later branches and templates of any journey read the new
 * value. The step computes the new value from the contact as loaded and emits it whole (an
 * `attribute` effect); the writer stores that value, never "add 1", so a step replayed after a
 * failed commit writes the same value again instead of counting twice.
 */

/** A value an attribute may hold after an update: what a condition branch compares. */
export type AttributeValue = string | number | boolean;

/** Longest value a `set` may write, rendered: attributes are read on every step of every journey. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1000;
/** Largest magnitude an increment may add, and a counter may reach: integers stay exact. */
export const MAX_INCREMENT = 1_000_000_000;

/**
 * Top-level attribute names only: condition branches read `field` as a dotted path
 * (`address.province`), so a name with a dot could never be read back as written.
 */
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Empty, bad or reserved: the issue a name gets, or null when it may be written. */
export function attributeNameProblem(name: string): string | null {
  if (name === "") return "name the attribute to update";
  if (isReservedName(name)) return `"${name}" is a name JavaScript objects treat specially`;
  if (!ATTRIBUTE_NAME.test(name))
    return "attribute names are 1-64 letters, digits, '_' or '-', starting with a letter or '_'";
  return null;
}

// The schema accepts any short name so a half-typed draft still saves; validate() says what
// is wrong with it (bad_attribute_name, reserved_name) and publishing refuses it.
const AttributeSchema = z.string().max(128).meta({
  description:
    "Profile attribute to write, e.g. winback_attempts (letters, digits, _ and -; not __proto__, constructor or prototype).",
});

export const UpdateSpecSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("set"),
    attribute: AttributeSchema,
    /** Liquid, like a message: `gold`, `{{ event.tier }}`, `{{ "now" | date: "%Y-%m-%d" }}`. */
    value: z.string().max(MAX_ATTRIBUTE_VALUE_LENGTH),
    /** How the rendered text is stored; text by default. */
    as: z.enum(["text", "number", "boolean"]).optional(),
  }),
  z.strictObject({
    kind: z.literal("increment"),
    attribute: AttributeSchema,
    /** Added to the current number (a missing attribute counts as 0); negative subtracts. */
    by: z.number().int().min(-MAX_INCREMENT).max(MAX_INCREMENT),
  }),
]);
export type UpdateSpec = z.infer<typeof UpdateSpecSchema>;

export const UpdateNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("update"),
  label: z.string().optional(),
  update: UpdateSpecSchema,
  position: PositionSchema.optional(),
});
export type UpdateNode = z.infer<typeof UpdateNodeSchema>;

const ROOTS = new Set(["user", "event", "journey"]);

function valueIssues(template: string, path: (string | number)[], nodeId: string): Issue[] {
  const parsed = templateVariableSegments(template);
  if (!parsed.ok)
    return [
      issue(parsed.overBudget ? "template_budget" : "template_syntax", parsed.error, path, nodeId),
    ];
  const out: Issue[] = [];
  for (const segs of parsed.segments) {
    const name = segs.join(".");
    if (segs.some(isReservedName)) {
      out.push(issue("reserved_name", `"${name}" may not be read in a template`, path, nodeId));
    } else if (!ROOTS.has(segs[0] ?? "") || segs.length === 1) {
      const msg = `unknown variable "${name}": values read user.*, event.* and journey.*`;
      out.push(issue("unknown_template_variable", msg, path, nodeId, { name }));
    }
  }
  return out;
}

/** "0", "3", "gold", "unset": how a value reads in a timeline detail. */
export function showValue(v: unknown): string {
  if (v === undefined || v === null) return "unset";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "an object";
}

/** A number as stored, or a numeric string as imported from a CSV ("3"); else null. */
function numberOf(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

type Outcome = { ok: true; value: AttributeValue } | { ok: false; reason: string; why: string };

function convert(text: string, as: "text" | "number" | "boolean"): Outcome {
  switch (as) {
    case "text":
      return { ok: true, value: text };
    case "number": {
      const n = numberOf(text);
      return n === null
        ? { ok: false, reason: "not_a_number", why: `${showValue(text)} is not a number` }
        : { ok: true, value: n };
    }
    case "boolean": {
      const t = text.trim().toLowerCase();
      if (t === "true") return { ok: true, value: true };
      if (t === "false") return { ok: true, value: false };
      return { ok: false, reason: "not_a_boolean", why: `${showValue(text)} is not true or false` };
    }
    default:
      return assertNever(as);
  }
}

/** The new value, from the contact as this step sees it (earlier updates in the call included). */
function newValue(spec: UpdateSpec, current: unknown, ctx: StepContext): Outcome {
  switch (spec.kind) {
    case "increment": {
      const from = current === undefined || current === null ? 0 : numberOf(current);
      // Overwriting "gold" with 1 would lose data the author did not mean to touch.
      if (from === null)
        return { ok: false, reason: "not_a_number", why: `it holds ${showValue(current)}` };
      const to = from + spec.by;
      if (Math.abs(to) > Number.MAX_SAFE_INTEGER)
        return { ok: false, reason: "out_of_range", why: `${to} is too large to count exactly` };
      return { ok: true, value: to };
    }
    case "set": {
      const r = renderTemplate(spec.value, stepTemplateVars(ctx), { zone: ctx.zone });
      if (!r.ok) return { ok: false, reason: "template_error", why: r.error };
      if (r.text.length > MAX_ATTRIBUTE_VALUE_LENGTH)
        return {
          ok: false,
          reason: "too_long",
          why: `the value is ${r.text.length} characters, over ${MAX_ATTRIBUTE_VALUE_LENGTH}`,
        };
      return convert(r.text, spec.as ?? "text");
    }
    default:
      return assertNever(spec);
  }
}

export const updateNode = defineNode<UpdateNode>({
  type: "update",
  schema: UpdateNodeSchema,
  outPaths: () => ({ kind: "one" }),
  entry: false,
  entryEvent: () => null,
  sends: false,
  channel: () => null,
  arms: () => null,
  locksContact: true,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: () => [],
  holds: () => false,
  validate(node, ctx) {
    const u = node.update;
    const out: Issue[] = [];
    const problem = attributeNameProblem(u.attribute);
    if (problem !== null) {
      const code = isReservedName(u.attribute) ? "reserved_name" : "bad_attribute_name";
      out.push(issue(code, problem, [...ctx.path, "update", "attribute"], node.id));
    }
    if (u.kind === "set")
      out.push(...valueIssues(u.value, [...ctx.path, "update", "value"], node.id));
    return out;
  },
  step(node, ctx): StepResult {
    const { attribute } = node.update;
    const at = ctx.now;
    // Validation refuses such names before publishing; a document compiled anyway moves on
    // without writing rather than keying an object by `__proto__`.
    if (attributeNameProblem(attribute) !== null) {
      const detail = `not updated: "${attribute}" is not an attribute name`;
      const entry = {
        type: "update_failed" as const,
        at,
        nodeId: node.id,
        attribute,
        reason: "bad_name",
        detail,
      };
      return { kind: "next", effects: [log(entry)] };
    }
    const current = own(ctx.contact.attributes, attribute);
    const r = newValue(node.update, current, ctx);
    if (!r.ok) {
      const detail = `not updated: ${attribute} — ${r.why}`;
      const entry = {
        type: "update_failed" as const,
        at,
        nodeId: node.id,
        attribute,
        reason: r.reason,
        detail,
      };
      return { kind: "next", effects: [log(entry)] };
    }
    const from = current === undefined ? null : current;
    // An increment of a missing attribute starts from 0: say so rather than "unset → 1".
    const shownFrom = node.update.kind === "increment" && from === null ? "0" : showValue(from);
    const detail = `updated ${attribute} ${shownFrom} → ${showValue(r.value)}`;
    const effects: Effect[] = [
      { type: "attribute", nodeId: node.id, attribute, value: r.value, at },
      log({ type: "updated", at, nodeId: node.id, attribute, from, to: r.value, detail }),
    ];
    return { kind: "next", effects };
  },
});
