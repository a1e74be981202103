/**
 * Shapes every API answer shares. The modules in server/api/ hold the route table's response
 * schemas (and the request schemas that need no server code); they import only zod and the
 * engine, so the console can `import type` them and infer its API types from the very schemas
 * the OpenAPI document and the response test use (issue #15: a hand-kept copy had drifted).
 */
import { z } from "zod";
import {
  EdgeSchema,
  type Journey,
  JourneySchema,
  type NodeType,
} from "../../engine/format/journey.ts";
import { NODE_TYPES, NodeSchema } from "../../engine/nodes/registry.ts";
import { ISSUE_CODES } from "../../engine/validate/issue.ts";

export const ROLES = ["admin", "marketer", "support", "engineer"] as const;
/** Roles a secret key may carry: an operator's, or `metrics` (GET /metrics and nothing else). */
export const KEY_ROLES = [...ROLES, "metrics"] as const;

/** An instant as JSON carries it: Express serializes a Date as an ISO 8601 string. */
export const Timestamp = z.string().describe("ISO 8601 date-time");

/**
 * Every error leaves as this (server/http/errors.ts): a stable code, a message, and details a
 * UI can point at (validation issues, field problems, a diff), or null.
 */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The answer has no body (204). */
export const NO_BODY = "no body" as const;
/** The answer is not JSON (a file download, CSV, Prometheus text): its media type. */
export interface NonJson {
  readonly mediaType: string;
  readonly about: string;
}
export type ResponseSchema = z.ZodType | typeof NO_BODY | NonJson;

/** The journey format as answers carry it, written once in the OpenAPI document. */
export const JourneyDocument = JourneySchema.meta({
  id: "Journey",
  title: "Waymark journey",
  description: "A lifecycle messaging journey (format waymark/journey@1).",
});

const codes = Object.keys(ISSUE_CODES) as [
  keyof typeof ISSUE_CODES,
  ...(keyof typeof ISSUE_CODES)[],
];

/** A validation issue (engine/validate/issue.ts), as the canvas paints it. */
export const IssueSchema = z
  .object({
    code: z.enum(codes),
    severity: z.enum(["error", "warning"]),
    message: z.string(),
    nodeId: z.string().optional(),
    path: z.array(z.union([z.string(), z.number()])),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .meta({ id: "Issue" });
export const Issues = z.array(IssueSchema);

/**
 * A draft as the editor left it: a format v1 journey, or (when it does not parse yet) the
 * document as typed with at least its nodes and edges (server/journeys/typed-draft.ts); the
 * issues beside it say what is wrong. Typed as a Journey for the console, which paints either.
 */
export const DraftDocument = z
  .custom<Journey>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      Array.isArray((v as { nodes?: unknown }).nodes) &&
      Array.isArray((v as { edges?: unknown }).edges),
    "a journey document with nodes and edges",
  )
  .meta({
    description:
      "A format v1 journey (docs/journey.schema.json), or a draft kept as typed that does not parse yet",
    type: "object",
  });

/** One leaf that differs between two documents (engine/diff/fields.ts). */
const FieldChangeSchema = z.object({
  path: z.array(z.string()),
  change: z.enum(["added", "removed", "changed"]),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  words: z
    .array(z.object({ op: z.enum(["same", "added", "removed"]), text: z.string() }))
    .optional(),
});
/** One node of the format, written once in the OpenAPI document however many diffs show one. */
const NodeDocument = NodeSchema.meta({ id: "JourneyNode" });
const NodeTypeSchema = z.enum(NODE_TYPES as [NodeType, ...NodeType[]]);

/** engine/diff/diff.ts's JourneyDiff: what changes between two documents. */
export const DiffSchema = z
  .object({
    summary: z.object({
      added: z.number(),
      removed: z.number(),
      changed: z.number(),
      edgesAdded: z.number(),
      edgesRemoved: z.number(),
      journey: z.number(),
      moved: z.number(),
      changes: z.number(),
    }),
    nodes: z.array(
      z.discriminatedUnion("change", [
        z.object({
          change: z.literal("added"),
          nodeId: z.string(),
          type: NodeTypeSchema,
          node: NodeDocument,
        }),
        z.object({
          change: z.literal("removed"),
          nodeId: z.string(),
          type: NodeTypeSchema,
          node: NodeDocument,
        }),
        z.object({
          change: z.literal("changed"),
          nodeId: z.string(),
          type: NodeTypeSchema,
          fields: z.array(FieldChangeSchema),
        }),
      ]),
    ),
    edges: z.object({ added: z.array(EdgeSchema), removed: z.array(EdgeSchema) }),
    journey: z.array(FieldChangeSchema),
  })
  .meta({ id: "JourneyDiff" });

/** An audit log entry (server/audit/types.ts). */
export const AuditEntrySchema = z
  .object({
    id: z.number(),
    at: Timestamp,
    actor: z.union([
      z.object({
        kind: z.enum(["operator", "key"]),
        id: z.number().nullable(),
        name: z.string(),
        role: z.string().nullable(),
      }),
      z.object({ kind: z.literal("system"), name: z.string() }),
    ]),
    action: z.string(),
    subject: z.object({ type: z.string(), id: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });
/** One page of the audit log and the `before` cursor of the next (null: the last page). */
export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  next: z.number().nullable(),
});

/** A format v1 file to save (export): JSON, but a download rather than an answer to parse. */
export const JOURNEY_FILE: NonJson = {
  mediaType: "application/json",
  about: "The journey as canonical format v1 JSON (docs/journey.schema.json), as a download",
};
export const CSV_FILE: NonJson = { mediaType: "text/csv", about: "CSV, as a download" };
export const PROMETHEUS_TEXT: NonJson = {
  mediaType: "text/plain",
  about: "Prometheus text exposition format",
};

/** GET /api/openapi.json: an OpenAPI 3.1 document (validated in tests by swagger-parser). */
export const OpenApiDocument = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
