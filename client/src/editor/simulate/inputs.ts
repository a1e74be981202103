import type { Journey } from "../../../../engine/index.ts";
import type { SimContactInput, SimEventInput } from "../../api.ts";
import { i18n } from "../../i18n/index.ts";

/**
 * The simulate panel's pure parts: event times typed as offsets from the start ("+2h",
 * "+1d 3h", "+0") or as ISO instants, JSON fields, the journey's own event names for
 * suggestions, and sample contacts across the zones the demo workspace uses.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** "+2h", "+1d 3h 30m", "+0" or "" (the start), or an ISO date-time; an instant in epoch ms. */
export function parseWhen(text: string, start: number): Parsed<number> {
  const t = text.trim();
  if (t === "" || t === "+0" || t === "0" || t.toLowerCase() === "now")
    return { ok: true, value: start };
  if (t.startsWith("+")) {
    const body = t.slice(1).replace(/\s+/g, "").toLowerCase();
    const parts = [...body.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== body) {
      return { ok: false, message: i18n.t("simulate.input.badOffset", { text: t }) };
    }
    let ms = 0;
    for (const [, n, unit] of parts) ms += Number(n) * (UNIT_MS[unit ?? ""] ?? 0);
    return { ok: true, value: start + ms };
  }
  const at = Date.parse(t);
  if (!Number.isFinite(at))
    return { ok: false, message: i18n.t("simulate.input.badTime", { text: t }) };
  return { ok: true, value: at };
}

/** "+2h 5m" for an instant after the start: how the step list reads time. */
export function formatOffset(at: number, start: number): string {
  let ms = Math.max(0, at - start);
  if (ms < 1_000) return "+0";
  const out: string[] = [];
  for (const [unit, size] of [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
    ["s", UNIT_MS.s],
  ] as const) {
    const n = Math.floor(ms / (size ?? 1));
    if (n > 0) out.push(`${n}${unit}`);
    ms -= n * (size ?? 1);
    if (out.length === 2) break;
  }
  return `+${out.join(" ")}`;
}

/** A JSON object field; empty text is "no value". */
export function parseObject(
  text: string,
  what: string,
): Parsed<Record<string, unknown> | undefined> {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return { ok: false, message: i18n.t("simulate.input.notObject", { what }) };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (err) {
    return {
      ok: false,
      message: i18n.t("simulate.input.notJson", {
        what,
        message: err instanceof Error ? err.message : "JSON",
      }),
    };
  }
}

/** Every event name the journey mentions (trigger, branches, waits, exitOn, goal), sorted. */
export function journeyEvents(doc: Journey): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "event" && typeof x === "string" && x) names.add(x);
        else walk(x);
      }
    }
  };
  walk(doc.nodes);
  walk(doc.settings);
  return [...names].sort();
}

export interface EventRow {
  key: number;
  when: string;
  name: string;
  properties: string;
}

/** Rows into the API's events, or the first problem (with its row number). */
export function buildEvents(rows: readonly EventRow[], start: number): Parsed<SimEventInput[]> {
  const out: SimEventInput[] = [];
  for (const [i, r] of rows.entries()) {
    if (!r.name.trim()) {
      if (!r.when.trim() && !r.properties.trim()) continue;
      return { ok: false, message: i18n.t("simulate.input.noName", { n: i + 1 }) };
    }
    const at = parseWhen(r.when, start);
    if (!at.ok)
      return {
        ok: false,
        message: i18n.t("simulate.input.row", { n: i + 1, message: at.message }),
      };
    const props = parseObject(r.properties, i18n.t("simulate.eventProperties", { n: i + 1 }));
    if (!props.ok) return props;
    const e: SimEventInput = { at: new Date(at.value).toISOString(), name: r.name.trim() };
    if (props.value) e.properties = props.value;
    out.push(e);
  }
  out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { ok: true, value: out };
}

export interface SampleContact {
  key: string;
  label: string;
  contact: SimContactInput;
}

/**
 * Sample contacts have opted in to promotional SMS: the simulator, like the server, assumes no
 * consent that is not recorded, and a sample that could not receive a promotion would hide
 * every other rule behind `no_consent`. A real contact brings its own consent.
 */
const SAMPLE_CONSENT = { sms: { promotional: true } };

export const SAMPLES: readonly SampleContact[] = [
  {
    key: "shanghai",
    label: "Mei · Shanghai · zh-CN",
    contact: {
      id: "sample-shanghai",
      timezone: "Asia/Shanghai",
      locale: "zh-CN",
      phone: "+8613812345678",
      consent: SAMPLE_CONSENT,
      attributes: { firstName: "Mei", city: "Shanghai", orders: 3 },
    },
  },
  {
    key: "new-york",
    label: "Alex · New York · en-US",
    contact: {
      id: "sample-new-york",
      timezone: "America/New_York",
      locale: "en-US",
      phone: "+12025550123",
      consent: SAMPLE_CONSENT,
      attributes: { firstName: "Alex", orders: 1 },
    },
  },
  {
    key: "london",
    label: "Sam · London · en-GB",
    contact: {
      id: "sample-london",
      timezone: "Europe/London",
      locale: "en-GB",
      phone: "+447700900123",
      consent: SAMPLE_CONSENT,
      attributes: { firstName: "Sam", orders: 0 },
    },
  },
];
