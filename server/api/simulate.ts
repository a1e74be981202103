/** Request and response schemas of POST /api/simulate (server/routes/simulate.ts). */
import { z } from "zod";
import { SimContactSchema, SimEventsSchema } from "../../engine/simulate/input.ts";

export const SimulateBody = z
  .object({
    journey: z.unknown().optional(),
    journeyId: z.string().min(1).max(64).optional(),
    contact: SimContactSchema.partial({ id: true }).optional(),
    contactId: z.string().min(1).max(200).optional(),
    events: SimEventsSchema.default([]),
    from: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => (b.journey === undefined) !== (b.journeyId === undefined), {
    message: "give exactly one of journey or journeyId",
    path: ["journey"],
  });

/** One simulated step (engine/effects.ts TimelineEntry, instants as ISO strings). */
export const SimStepSchema = z.looseObject({
  at: z.string(),
  nodeId: z.string(),
  type: z.enum([
    "entered",
    "waiting",
    "branched",
    "sent",
    "deferred",
    "suppressed",
    "cooldown",
    "converted",
    "exited",
  ]),
  detail: z.string(),
  reason: z.string().optional(),
  until: z.string().nullable().optional(),
  path: z.string().optional(),
  channel: z.string().optional(),
  body: z.string().optional(),
  parts: z.number().optional(),
  /** A send with variants: the one sent (its locale, or "default"). */
  variant: z.string().optional(),
});

export const SimulateResult = z.object({
  timeline: z.array(SimStepSchema),
  final: z.object({ status: z.string(), nodeId: z.string().nullable() }),
  issues: z.array(
    z.object({
      code: z.literal("stuck"),
      message: z.string(),
      at: z.number(),
      journeyId: z.string(),
    }),
  ),
});
