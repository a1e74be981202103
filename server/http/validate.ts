import type { z } from "zod";
import { HttpError } from "./errors.ts";

/** Parses a payload with its zod schema; failures become 400 with each field's path and message. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
  }));
  const first = details[0];
  throw new HttpError(
    400,
    "invalid_body",
    first ? `${first.path || "body"}: ${first.message}` : "invalid body",
    details,
  );
}
