import { describe, expect, it } from "vitest";
import { filterFromSearch, searchFromFilter } from "../../client/src/pages/journeys/list-filter.ts";

/** The journey list's filters in the URL: what a reload or a shared link restores. */
describe("journey list filter ⇄ URL", () => {
  it("round-trips search and status, trimming the search and leaving out what is empty", () => {
    expect(searchFromFilter({ q: "  cart ", status: "paused" })).toBe("?q=cart&status=paused");
    expect(searchFromFilter({ q: "", status: "" })).toBe("");
    expect(searchFromFilter({ q: "50% & more", status: "" })).toBe("?q=50%25+%26+more");
    expect(filterFromSearch("?q=50%25+%26+more")).toEqual({ q: "50% & more", status: "" });
    expect(filterFromSearch("?status=archived&q=win")).toEqual({ q: "win", status: "archived" });
  });

  it("ignores a status it does not know (a hand-edited link) rather than sending it", () => {
    expect(filterFromSearch("?status=deleted")).toEqual({ q: "", status: "" });
    expect(filterFromSearch("")).toEqual({ q: "", status: "" });
  });
});
