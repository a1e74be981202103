import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { openApiText } from "../../server/cli/openapi.ts";

/**
 * The OpenAPI document describes the Segment endpoints as they behave: every call type, the
 * batch item union, and the item-level response (accepted, duplicates, rejected index/field/
 * message), from the same zod schemas the routes validate with.
 */
describe("the OpenAPI document for ingest", () => {
  it("validates, and describes /v1/* requests and the item-level response", async () => {
    // Ingest is in the route table like every route: the document `waymark openapi` prints.
    const doc = JSON.parse(openApiText()) as Record<string, unknown>;
    await SwaggerParser.validate(structuredClone(doc) as never);
    const paths = doc.paths as Record<string, { post?: Record<string, unknown> }>;
    for (const type of [
      "batch",
      "import",
      "identify",
      "track",
      "page",
      "screen",
      "group",
      "alias",
    ]) {
      expect(paths[`/v1/${type}`]?.post).toBeDefined();
    }
    const batch = paths["/v1/batch"]?.post as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
    };
    const item = JSON.stringify(
      batch.requestBody.content["application/json"]?.schema.properties.batch,
    );
    for (const type of ["identify", "track", "page", "screen", "group", "alias"]) {
      expect(item).toContain(`"const":"${type}"`);
    }
    const ok = batch.responses["200"]?.content?.["application/json"]?.schema as {
      properties: Record<string, { items?: { properties: Record<string, unknown> } }>;
    };
    expect(Object.keys(ok.properties)).toEqual(
      expect.arrayContaining(["accepted", "duplicates", "rejected"]),
    );
    expect(Object.keys(ok.properties.rejected?.items?.properties ?? {})).toEqual([
      "index",
      "field",
      "message",
    ]);
    expect(batch.responses["503"]).toBeDefined();
    expect(batch.responses["413"]).toBeDefined();
    expect(batch.responses["401"]).toBeDefined();
    expect(
      (doc.paths as Record<string, { post: { security: unknown } }>)["/v1/batch"]?.post.security,
    ).toEqual([{ writeKey: [] }]);
  });
});
