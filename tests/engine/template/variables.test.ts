import { describe, expect, it } from "vitest";
import {
  formatVariablePath,
  templateVariableSegments,
  templateVariables,
} from "../../../engine/template/variables.ts";

function vars(template: string): string[] {
  const r = templateVariables(template);
  if (!r.ok) throw new Error(r.error);
  return r.variables;
}

describe("templateVariables", () => {
  it("lists referenced paths in order, deduplicated", () => {
    expect(
      vars(
        "Hi {{ user.firstName }} {{ event.properties.sku }} {{ user.firstName | default: 'x' }}",
      ),
    ).toEqual(["user.firstName", "event.properties.sku"]);
  });

  it("includes variables in tags and filter arguments", () => {
    expect(
      vars("{% if user.vip %}{{ event.total | minus: user.credit }}{% endif %}").sort(),
    ).toEqual(["event.total", "user.credit", "user.vip"]);
  });

  it("excludes loop and assign locals", () => {
    expect(
      vars(
        "{% for item in user.items %}{{ item.name }}{{ forloop.index }}{% endfor %}{% assign n = user.firstName %}{{ n }}",
      ),
    ).toEqual(["user.items", "user.firstName"]);
  });

  it("handles indices and bracket keys; dynamic index ends the path", () => {
    expect(
      vars("{{ user.items[0].sku }} {{ user['first name'] }} {{ user.items[event.i].sku }}"),
    ).toEqual(["user.items[0].sku", 'user["first name"]', "user.items", "event.i"]);
    const seg = templateVariableSegments("{{ user.items[0].sku }}");
    expect(seg).toEqual({ ok: true, segments: [["user", "items", "0", "sku"]] });
  });

  it("returns a parse error as data", () => {
    expect(templateVariables("{{ user.firstName ").ok).toBe(false);
    expect(templateVariables("{{ user.firstName | nope }}").ok).toBe(false);
    expect(templateVariables("{% include 'x' %}").ok).toBe(false);
  });

  it("plain text has no variables", () => {
    expect(vars("Reply STOP to opt out")).toEqual([]);
  });

  it("formatVariablePath", () => {
    expect(formatVariablePath(["event", "properties", "sku"])).toBe("event.properties.sku");
    expect(formatVariablePath(["user", "a-b", "x y"])).toBe('user.a-b["x y"]');
  });
});
