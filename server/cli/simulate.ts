import { parseArgs } from "node:util";
import type { z } from "zod";
import {
  formatTimeline,
  hasErrors,
  parseJourney,
  type SimContact,
  type SimEvent,
  simulate,
  validateText,
} from "../../engine/index.ts";
import { DEFAULT_POLICY } from "../../engine/rules/index.ts";
import {
  SimContactSchema,
  SimEventsSchema,
  timelineEntryJson,
} from "../../engine/simulate/input.ts";
import { DEFAULT_LINK_SHAPE } from "../../engine/sms/compose.ts";

import { resolveZone } from "../../engine/time/index.ts";
import { formatIssue, readText } from "./validate.ts";

const USAGE =
  "usage: waymark simulate <journey.json> --contact <contact.json> --events <events.json> [--from ISO] [--until ISO] [--json]\n";

class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function readJson(path: string, what: string): unknown {
  const read = readText(path);
  if (!read.ok) throw new CliError(read.message, 2);
  try {
    return JSON.parse(read.text);
  } catch (err) {
    throw new CliError(`${what} ${path} is not JSON: ${(err as Error).message}`, 1);
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join(".")}` : "";
  throw new CliError(`${what}${where}: ${first?.message ?? "invalid"}`, 1);
}

function instant(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (!Number.isFinite(at))
    throw new CliError(`${flag} ${JSON.stringify(value)} is not an ISO date-time`, 2);
  return at;
}

const DAY = 86_400_000;

/**
 * `waymark simulate`: what a journey would do for one contact and a list of events, using the
 * engine's own advance step with a virtual clock. Exit 0 on success, 1 for an invalid journey,
 * contact or events file (or a stuck simulation), 2 for usage and unreadable files.
 */
export async function run(args: string[]): Promise<number> {
  try {
    return execute(args);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`waymark simulate: ${err.message}\n`);
      return err.code;
    }
    process.stderr.write(`waymark simulate: ${(err as Error).message ?? String(err)}\n`);
    return 2;
  }
}

function execute(args: string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1)
    throw new CliError(`expected one journey file\n${USAGE}`, 2);
  const read = readText(file);
  if (!read.ok) throw new CliError(read.message, 2);
  const issues = validateText(read.text);
  if (hasErrors(issues)) {
    const lines = issues.filter((i) => i.severity === "error").map(formatIssue);
    throw new CliError(`${file} is not a valid journey:\n${lines.join("\n")}`, 1);
  }
  const journey = parseJourney(JSON.parse(read.text));
  if (!journey.ok) throw new CliError(`${file} is not a valid journey`, 1);

  const { values } = parsed;
  const contact: SimContact = values.contact
    ? (checked(SimContactSchema, readJson(values.contact, "contact"), "contact") as SimContact)
    : { id: "contact-1" };
  const events: SimEvent[] = values.events
    ? checked(SimEventsSchema, readJson(values.events, "events"), "events")
    : [];

  // The CLI is the edge: with no events and no --from, "now" is the wall clock.
  const firstEvent = events.reduce((min, e) => Math.min(min, e.at), Number.POSITIVE_INFINITY);
  const from =
    instant(values.from, "--from") ?? (Number.isFinite(firstEvent) ? firstEvent : Date.now());
  const until = instant(values.until, "--until") ?? from + 365 * DAY;
  if (until < from) throw new CliError("--until is before --from", 2);

  // Tracked links as the server would mint them: WAYMARK_PUBLIC_URL when set, as there.
  const publicUrl = process.env.WAYMARK_PUBLIC_URL;
  const result = simulate(journey.journey, contact, events, {
    from,
    until,
    policy: DEFAULT_POLICY,
    ...(publicUrl ? { linkShape: { ...DEFAULT_LINK_SHAPE, base: publicUrl } } : {}),
  });
  if (values.json) {
    const out: Record<string, unknown> = {
      timeline: result.timeline.map(timelineEntryJson),
      final: result.final,
    };
    if (result.issues.length > 0) out.issues = result.issues;
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const zone = resolveZone(contact, DEFAULT_POLICY.workspaceTimezone).zone;
    process.stdout.write(formatTimeline(result.timeline, result.final, zone));
    for (const i of result.issues) process.stdout.write(`${i.code}: ${i.message}\n`);
  }
  return result.issues.length > 0 ? 1 : 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      contact: { type: "string" },
      events: { type: "string" },
      from: { type: "string" },
      until: { type: "string" },
      json: { type: "boolean" },
    },
  });
}
