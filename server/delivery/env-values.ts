import type { z } from "zod";
import { ConfigError } from "../config.ts";

/**
 * Reading env values into a provider kind's schema (provider-kinds.ts): config.ts and
 * push-config.ts turn variables into the fields the schema checks, and a failure names the
 * variable.
 */

/** The WAYMARK_*_ALLOW_HOSTS lists: comma-separated, parsed by AllowHostsSchema. */
export function allowHostsFrom(raw: string | undefined): string[] {
  return (raw ?? "").split(",");
}

/** An env value, or undefined when unset or blank (so a schema's default applies). */
export function present(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value ? value : undefined;
}

/** A numeric env value for a schema: unset stays undefined, anything else a number (NaN fails). */
export function numeric(raw: string | undefined): number | undefined {
  return present(raw) === undefined ? undefined : Number(raw);
}

/**
 * Parses env values with a provider kind's schema (provider-kinds.ts); a failure names the
 * variable, never its value (an SMTP URL holds a password).
 */
export function fromEnv<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  names: Record<string, string>,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? "");
  throw new ConfigError(`${names[key] ?? key} ${issue?.message ?? "is invalid"}`);
}
