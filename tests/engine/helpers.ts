import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ContactView,
  type Journey,
  type JourneyNode,
  parseJourney,
} from "../../engine/index.ts";
import type { AdvancePolicy } from "../../engine/ports.ts";
import { defaultPolicy } from "../../engine/rules/index.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const EXAMPLES = [
  "birthday-coupon",
  "cart-abandonment",
  "cart-reminder",
  "new-member-drip",
  "replenishment",
  "send-time-ab",
  "win-back",
] as const;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function at(iso: string): number {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new Error(`bad date ${iso}`);
  return t;
}

export function exampleText(name: string): string {
  return readFileSync(resolve(ROOT, "examples/journeys", `${name}.json`), "utf8");
}

export function example(name: string): Journey {
  const r = parseJourney(JSON.parse(exampleText(name)));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.issues)}`);
  return r.journey;
}

type EdgeSpec = [from: string, to: string, path?: string];

/** A journey from nodes and terse edges; settings optional. */
export function journey(
  nodes: JourneyNode[],
  edges: EdgeSpec[],
  settings?: Journey["settings"],
  id = "j1",
): Journey {
  const j: Journey = {
    format: "waymark/journey@1",
    id,
    name: id,
    nodes,
    edges: edges.map(([from, to, path]) =>
      path === undefined ? { from, to } : { from, to, path },
    ),
  };
  if (settings) j.settings = settings;
  return j;
}

/** A raw document (not type-checked) for validation tests. */
export function doc(
  nodes: unknown[],
  edges: EdgeSpec[],
  settings?: unknown,
): Record<string, unknown> {
  const d: Record<string, unknown> = {
    format: "waymark/journey@1",
    id: "doc",
    name: "doc",
    nodes,
    edges: edges.map(([from, to, path]) =>
      path === undefined ? { from, to } : { from, to, path },
    ),
  };
  if (settings) d.settings = settings;
  return d;
}

export const trigger = (id = "start", event = "go"): JourneyNode => ({
  id,
  type: "trigger",
  trigger: { kind: "event", event },
});
export const exit = (id = "done"): JourneyNode => ({ id, type: "exit" });
export const sms = (
  id: string,
  template = "Hi {{ user.firstName }}",
  category: "promotional" | "transactional" | "service" = "promotional",
): JourneyNode => ({
  id,
  type: "send",
  send: { channel: "sms", category, template },
});
export const waitFor = (id: string, duration: string): JourneyNode => ({
  id,
  type: "wait",
  wait: { kind: "duration", duration },
});

export function contact(overrides: Partial<ContactView> = {}): ContactView {
  return {
    id: "c1",
    timezone: "UTC",
    attributes: { firstName: "Ann" },
    consent: {
      sms: {
        promotional: { granted: true },
        transactional: { granted: true },
        service: { granted: true },
      },
      email: { promotional: { granted: true } },
    },
    optOuts: [],
    recentSends: [],
    cooldowns: [],
    ...overrides,
  };
}

/** Default policy but without quiet hours (so tests control time precisely) unless asked. */
export function policy(overrides: Partial<AdvancePolicy> = {}): AdvancePolicy {
  return { ...defaultPolicy({ quietHours: null }), ...overrides };
}

export const ports = { random: () => 0.5 };

/** A long chain of waits and sends with branches: `n` nodes. */
export function bigJourney(n: number): Journey {
  const nodes: Journey["nodes"] = [
    { id: "n0", type: "trigger", trigger: { kind: "event", event: "go" } },
  ];
  const edges: Journey["edges"] = [];
  for (let i = 1; i < n - 1; i++) {
    const kind = i % 3;
    nodes.push(
      kind === 0
        ? { id: `n${i}`, type: "wait", wait: { kind: "duration", duration: "PT1H" } }
        : kind === 1
          ? {
              id: `n${i}`,
              type: "send",
              send: {
                channel: "sms",
                category: "promotional",
                template: `Msg ${i} {{ user.firstName }}`,
              },
            }
          : {
              id: `n${i}`,
              type: "branch",
              branch: { kind: "event", event: `e${i}`, within: "P1D" },
            },
    );
    if (kind === 2) {
      edges.push({ from: `n${i - 1}`, to: `n${i}` });
    } else if (i > 1 && (i - 1) % 3 === 2) {
      edges.push(
        { from: `n${i - 1}`, to: `n${i}`, path: "yes" },
        { from: `n${i - 1}`, to: `n${i}`, path: "no" },
      );
    } else {
      edges.push({ from: `n${i - 1}`, to: `n${i}` });
    }
  }
  nodes.push({ id: `n${n - 1}`, type: "exit" });
  const last = n - 2;
  if (last % 3 === 2)
    edges.push(
      { from: `n${last}`, to: `n${n - 1}`, path: "yes" },
      { from: `n${last}`, to: `n${n - 1}`, path: "no" },
    );
  else edges.push({ from: `n${last}`, to: `n${n - 1}` });
  return { format: "waymark/journey@1", id: "big", name: "big", nodes, edges };
}

/** SMS promotional consent, which the simulator (like the server) no longer assumes. */
export const PROMO_CONSENT = { sms: { promotional: true } };
