import { z } from "zod";
import { JourneySchema } from "./journey.ts";

/** Where the generated schema is checked in; a test fails when it is stale. */
export const JSON_SCHEMA_PATH = "docs/journey.schema.json";

/**
 * The JSON Schema of format v1, generated from the zod schema (the single source of truth).
 * Refinements (durations that parse, HH:MM) appear as `pattern`s from their metadata.
 */
export function generateJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(JourneySchema, { target: "draft-2020-12", unrepresentable: "any" });
  return { ...schema, $id: "https://waymark.dev/schemas/journey@1.json" };
}

/** The file content: 2-space JSON with a trailing newline. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(generateJsonSchema(), null, 2)}\n`;
}
