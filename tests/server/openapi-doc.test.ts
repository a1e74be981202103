import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { openApiText } from "../../server/cli/openapi.ts";

describe("docs/openapi.json", () => {
  it("is the document the server builds from its route table (regenerate: npx waymark openapi > docs/openapi.json)", () => {
    const file = readFileSync(resolve(import.meta.dirname, "../../docs/openapi.json"), "utf8");
    expect(file).toBe(openApiText());
  });

  it("is valid OpenAPI 3.1 to a real validator, every reference resolving", async () => {
    const doc = JSON.parse(openApiText()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    // swagger-parser rejected the document while zod's `#/$defs/…` pointers stayed inside it.
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
    // Query strings are standard `in: query` parameters, not a vendor extension.
    expect(JSON.stringify(doc)).not.toContain("x-query-schema");
    const diff = doc.paths["/api/journeys/{id}/diff"]?.get?.parameters ?? [];
    expect(diff.filter((p) => p.in === "query").map((p) => p.name)).toEqual(["from", "to"]);
  });
});
