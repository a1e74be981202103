/** Response schemas of the audience and RFM routes (server/routes/audiences.ts). */
import { z } from "zod";
import { ConditionSchema, RfmConditionSchema } from "../../engine/audience/schema.ts";
import { AUDIENCE_ISSUE_CODES } from "../../engine/audience/validate.ts";
import { Timestamp } from "./common.ts";

type AudienceIssueCode = keyof typeof AUDIENCE_ISSUE_CODES;
const codes = Object.keys(AUDIENCE_ISSUE_CODES) as [AudienceIssueCode, ...AudienceIssueCode[]];

/** An issue in a definition, with its path inside it (the builder paints it there). */
export const AudienceIssueSchema = z.object({
  code: z.enum(codes),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  /** The message's specifics as data (`reason` picks the case), for the console's languages. */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
const AudienceIssues = z.array(AudienceIssueSchema);

export const AudienceSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  definition: ConditionSchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const AudienceList = z.object({ audiences: z.array(AudienceSchema) });
export const OneAudience = z.object({ audience: AudienceSchema });
export const SavedAudience = z.object({ audience: AudienceSchema, issues: AudienceIssues });
export const Estimate = z.object({ count: z.number(), ms: z.number(), issues: AudienceIssues });
export const Deleted = z.object({ deleted: z.literal(true) });

/** Support sees emails masked, as everywhere else in the console. */
export const AudienceMemberSchema = z.object({
  id: z.number(),
  externalId: z.string(),
  email: z.string().nullable(),
  timezone: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
});
export const DraftPreview = z.object({ members: z.array(AudienceMemberSchema) });
export const StoredPreview = DraftPreview.extend({ count: z.number() });

const Score = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
export const RfmGridSchema = z.object({
  /** 25 cells, r-major (r 5 → 1, f 1 → 5), empty cells included so the grid is always whole. */
  cells: z.array(
    z.object({
      r: Score,
      f: Score,
      count: z.number(),
      /** Mean total spend of the cell's contacts (null for an empty cell). */
      avgMonetary: z.number().nullable(),
      /** The audience definition for this cell: what clicking it starts from. */
      definition: RfmConditionSchema,
    }),
  ),
  recency: z.array(
    z.object({ score: Score, minDays: z.number().nullable(), maxDays: z.number().nullable() }),
  ),
  frequency: z.array(
    z.object({ score: Score, minOrders: z.number().nullable(), maxOrders: z.number().nullable() }),
  ),
  /** Contacts with at least one purchase (they have scores) and all contacts. */
  buyers: z.number(),
  contacts: z.number(),
  /** The `now` the scores were computed for; the day ranges use the request's. */
  scoredAt: Timestamp.nullable(),
  ms: z.number(),
});
