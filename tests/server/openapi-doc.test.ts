import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { openApiText } from "../../server/cli/openapi.ts";

describe("docs/openapi.json", () => {
  it("is the document the server builds from its route table (regenerate: npx waymark openapi > docs/openapi.json)", () => {
    const file = readFileSync(resolve(import.meta.dirname, "../../docs/openapi.json"), "utf8");
    expect(file).toBe(openApiText());
  });
});
