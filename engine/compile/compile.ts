import type { Journey, JourneyNode } from "../format/journey.ts";
import { definitionOf } from "../nodes/registry.ts";
import type { TriggerNode } from "../nodes/trigger.ts";
import { triggerOf } from "../triggers.ts";
import { buildMachine, type JourneyMachine } from "./machine.ts";
import { MachineMoves } from "./transitions.ts";

/**
 * A journey version ready to run: the XState machine plus lookup tables the advance step
 * needs on every call. Versions are immutable, so compiled journeys are cached by versionId.
 */
export type CompiledJourney = {
  versionId: string;
  journey: Journey;
  machine: JourneyMachine;
  /** The machine's moves, asked of XState once per (state, event) and remembered. */
  moves: MachineMoves;
  nodes: ReadonlyMap<string, JourneyNode>;
  trigger: TriggerNode | undefined;
  /** Event names every active enrollment listens to: exitOn and goal. */
  globalEvents: readonly string[];
  /** Whether any node reads engagement (message.* events) of this enrollment's sends. */
  engagementEvents: readonly string[];
  /**
   * Nodes from which some path still leads to a send or update node (those included). An enrollment
   * elsewhere can never send again, so the ticker skips the contact lock and the send history
   * the suppression rules need.
   */
  canStillSend: ReadonlySet<string>;
  /** A node reads the contact's best hour (the ticker loads best hours only then). */
  usesBestHour: boolean;
};

export type JourneyVersion = { versionId: string; journey: Journey };

/** Bounded so a long-running server compiling many versions does not grow without limit. */
const MAX_CACHED = 500;
const cache = new Map<string, CompiledJourney>();

function build(version: JourneyVersion): CompiledJourney {
  const { journey } = version;
  const machine = buildMachine(journey);
  const nodes = new Map(journey.nodes.map((n) => [n.id, n] as const));
  const trigger = triggerOf(journey);
  const s = journey.settings;
  const globalEvents = [
    ...new Set([...(s?.exitOn ?? []).map((m) => m.event), ...(s?.goal ? [s.goal.event] : [])]),
  ];
  const engagement = new Set<string>();
  for (const n of journey.nodes)
    for (const e of definitionOf(n).engagementEvents(n)) engagement.add(e);
  return {
    versionId: version.versionId,
    journey,
    machine,
    moves: new MachineMoves(machine),
    nodes,
    trigger,
    globalEvents,
    engagementEvents: [...engagement].sort(),
    canStillSend: nodesReachingSends(journey),
    usesBestHour: journey.nodes.some((n) => definitionOf(n).usesBestHour(n)),
  };
}

/** Walks the edges backwards from every send node. */
function nodesReachingSends(journey: Journey): Set<string> {
  const into = new Map<string, string[]>();
  for (const e of journey.edges) {
    const list = into.get(e.to);
    if (list) list.push(e.from);
    else into.set(e.to, [e.from]);
  }
  const found = new Set<string>();
  // Sends (caps read the history) and updates (a counter's new value is computed from the
  // contact as loaded): two batches stepping the same contact must serialize on its lock.
  const stack = journey.nodes.filter((n) => definitionOf(n).locksContact).map((n) => n.id);
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (found.has(id)) continue;
    found.add(id);
    for (const from of into.get(id) ?? []) stack.push(from);
  }
  return found;
}

/**
 * Compiles a validated journey version (cached by versionId: a version never changes).
 * Compiling an invalid journey does not throw on graph errors (missing edges complete the
 * enrollment), but callers should refuse to publish versions with validation errors.
 */
export function compile(version: JourneyVersion): CompiledJourney {
  const hit = cache.get(version.versionId);
  if (hit) {
    // Refresh recency: a Map iterates in insertion order, so the first key is the oldest.
    cache.delete(version.versionId);
    cache.set(version.versionId, hit);
    return hit;
  }
  const compiled = build(version);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(version.versionId, compiled);
  return compiled;
}

/** Compiles without the cache (benchmarks, tests that change a journey under one id). */
export function compileFresh(version: JourneyVersion): CompiledJourney {
  return build(version);
}
