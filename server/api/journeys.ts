/**
 * Response schemas of the journey routes (server/routes/journeys.ts, versions.ts,
 * journey-tools.ts, messages.ts' stats): what each answers, so the response test, the OpenAPI
 * document and the console's types are one declaration.
 */
import { z } from "zod";
import { DiffSchema, DraftDocument, Issues, JourneyDocument, Timestamp } from "./common.ts";

export const JOURNEY_STATUSES = ["draft", "live", "paused", "archived"] as const;
export const PAUSE_ENTRIES = ["wait", "skip"] as const;
const Status = z.enum(JOURNEY_STATUSES);
const PauseEntries = z.enum(PAUSE_ENTRIES);

export const JourneyList = z.object({
  journeys: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: Status,
      /** While paused: "wait" (triggers enter held) or "skip" (they do not); else null. */
      pauseEntries: PauseEntries.nullable(),
      version: z.number().nullable(),
      updatedAt: Timestamp,
      /** Set while archived. */
      archivedAt: Timestamp.nullable(),
      activeUsers: z.number(),
    }),
  ),
});

/** A saved or created journey and its validation issues. */
export const SavedJourney = z.object({ journey: JourneyDocument, issues: Issues });
/** PUT keeps a draft as typed, valid or not: the document comes back as saved. */
export const SavedDraft = z.object({ journey: DraftDocument, issues: Issues });

export const JourneyDetail = z.object({
  id: z.string(),
  name: z.string(),
  status: Status,
  liveVersionId: z.number().nullable(),
  liveVersion: z.number().nullable(),
  draft: DraftDocument.nullable(),
  issues: Issues,
  /** While paused: what triggers do meanwhile, since when, how many were skipped so far. */
  pause: z.object({ entries: PauseEntries, since: Timestamp, skipped: z.number() }).nullable(),
  /** Entries skipped during pauses set to "skip", all pauses together. */
  skippedEntries: z.number(),
});

export const Archived = z.object({ archived: z.literal(true), exited: z.number() });
/** Back as paused (it was ever published) or as a draft. */
export const Unarchived = z.object({ status: z.enum(["paused", "draft"]) });
export const IssuesOnly = z.object({ issues: Issues });

export const PublishResult = z.object({
  versionId: z.number().nullable(),
  version: z.number(),
  issues: Issues,
  /** Active users per node of older versions and where `migrate` takes them (null: exit). */
  inFlight: z.array(
    z.object({
      versionId: z.number(),
      node: z.string(),
      users: z.number(),
      to: z.string().nullable(),
    }),
  ),
  migrated: z.number(),
  exited: z.number(),
});

export const Paused = z.object({ status: z.literal("paused"), entries: PauseEntries });
export const Resumed = z.object({ status: z.literal("live") });
export const Enrolled = z.object({ enrollmentId: z.number() });

export const VersionList = z.object({
  liveVersion: z.number().nullable(),
  versions: z.array(
    z.object({
      id: z.number(),
      version: z.number(),
      publishedAt: Timestamp,
      publishedBy: z.object({ id: z.number().nullable(), name: z.string().nullable() }),
      note: z.string().nullable(),
      /** The in-flight policy used at publish; null for versions published before it was kept. */
      inFlight: z.enum(["pin", "migrate"]).nullable(),
      migrated: z.number().nullable(),
      exited: z.number().nullable(),
      /** Users in the journey on this version now. */
      activeUsers: z.number(),
      live: z.boolean(),
    }),
  ),
});

/** Users per node id (a node may be called `__proto__`: any key is a node). */
const Counts = z.record(z.string(), z.number());

export const VersionDetail = z.object({
  id: z.number(),
  version: z.number(),
  publishedAt: Timestamp,
  definition: JourneyDocument,
  counts: Counts,
});
export const VersionCounts = z.object({ version: z.number(), counts: Counts });
export const DiffResponse = DiffSchema.extend({ from: z.string(), to: z.string() });
/** Revert and discard: the new draft and what it replaced. */
export const RevertResult = SavedJourney.extend({ version: z.number(), diff: DiffSchema });
export const ImportResult = SavedJourney.extend({
  outcome: z.enum(["created", "replaced_draft", "created_copy"]),
  replacedDraft: z.boolean(),
  diff: DiffSchema,
});

const Stat = z.number();
export const NodeStatsSchema = z.object({
  current: Stat,
  entered: Stat,
  exited: Stat,
  sent: Stat,
  delivered: Stat,
  clicked: Stat,
  converted: Stat,
  suppressed: z.record(z.string(), Stat),
  deferred: z.record(z.string(), Stat),
});
export const JourneyStats = z.object({
  journeyId: z.string(),
  total: NodeStatsSchema.omit({ suppressed: true, deferred: true }),
  nodes: z.record(z.string(), NodeStatsSchema),
});

export const Preview = z.object({
  text: z.string(),
  optOutLine: z.string().nullable(),
  encoding: z.enum(["GSM-7", "UCS-2"]).nullable(),
  parts: z.number(),
  characters: z.number(),
  /** SMS only: each part's capacity. */
  perPart: z.number().optional(),
  /** The variant rendered: a locale, "default", or null for a send without variants. */
  variant: z.string().nullable(),
});
export const TestSent = z.object({
  messageId: z.number(),
  text: z.string(),
  status: z.literal("queued"),
  /** The variant sent: a locale, "default", or null for a send without variants. */
  variant: z.string().nullable(),
});
/** The draft's test list: the ids listed, and those of them that are contacts, in list order. */
export const TestList = z.object({
  listed: z.array(z.string()),
  contacts: z.array(z.object({ id: z.number(), externalId: z.string() })),
});
/** A test message's outcome, polled by the editor's "Send test". */
export const TestMessageStatus = z.object({
  id: z.number(),
  status: z.string(),
  provider: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  lastError: z.string().nullable(),
  attempts: z.number(),
  body: z.string(),
  sentAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
});
