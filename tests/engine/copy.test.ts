import { describe, expect, it } from "vitest";
import { copyOf, withKey } from "../../engine/shared/copy.ts";

/** Own keys and values, prototype included: what "same as the spread" has to mean. */
const shape = (o: object) => ({
  proto: Object.getPrototypeOf(o),
  own: Object.getOwnPropertyNames(o).map((k) => [k, (o as Record<string, unknown>)[k]]),
});

describe("hot-path copies behave exactly like spreads", () => {
  const cases: Record<string, unknown>[] = [
    {},
    { a: 1, b: "x" },
    JSON.parse('{"firstName":"Ann","coupon":"C1"}'),
    JSON.parse('{"__proto__":{"polluted":true},"a":1}'),
  ];

  it.each(cases)("copyOf(%j)", (o) => {
    const copy = copyOf(o);
    expect(copy).not.toBe(o);
    expect(shape(copy)).toEqual(shape({ ...o }));
  });

  it.each(cases)("withKey(%j, key, value) for ordinary keys and __proto__", (o) => {
    for (const key of ["a", "id", "__proto__"]) {
      const got = withKey(o, key, 7);
      expect(shape(got)).toEqual(shape({ ...o, [key]: 7 }));
      expect(Object.hasOwn(got, key)).toBe(true);
    }
    // The source is never touched.
    expect(Object.hasOwn(o, "id")).toBe(false);
  });

  it("a node named __proto__ counts its visits as an own key, and nothing leaks to Object", () => {
    const visits = withKey(withKey<number>({}, "__proto__", 1), "__proto__", 2);
    expect(Object.getOwnPropertyDescriptor(visits, "__proto__")?.value).toBe(2);
    expect(Object.keys(visits)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
