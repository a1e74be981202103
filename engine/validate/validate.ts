import { nodeIdAt, parseJourney } from "../format/parse.ts";
import { definitionOf } from "../nodes/registry.ts";
import type { ValidateContext, ValidateOptions } from "../nodes/types.ts";
import { DEFAULT_LINK_SHAPE } from "../sms/compose.ts";
import {
  buildGraph,
  checkEdges,
  checkReachability,
  checkSpinCycles,
  reachableFrom,
} from "./graph.ts";
import { type Issue, issue } from "./issue.ts";

export type { ValidateOptions };

/**
 * Every problem in a journey document, as data (never throws, whatever `doc` is). Schema
 * problems come first and stop the graph checks, which would only echo them. Errors block
 * publishing; warnings are shown on the canvas.
 */
export function validate(doc: unknown, options: ValidateOptions = {}): Issue[] {
  try {
    return run(doc, options);
  } catch (err) {
    // A bug in a check must not take the editor down: report it as an issue instead.
    const message = `validator failed: ${err instanceof Error ? err.message : String(err)}`;
    return [issue("schema", message, [], nodeIdAt(doc, []))];
  }
}

/** Validates JSON text: `not_json` when it does not parse. */
export function validateText(text: string, options: ValidateOptions = {}): Issue[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return [issue("not_json", `not JSON: ${err instanceof Error ? err.message : String(err)}`, [])];
  }
  return validate(doc, options);
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

function run(doc: unknown, options: ValidateOptions): Issue[] {
  const parsed = parseJourney(doc);
  if (!parsed.ok) return parsed.issues;
  const journey = parsed.journey;
  const issues: Issue[] = [];

  const seen = new Set<string>();
  journey.nodes.forEach((n, i) => {
    if (seen.has(n.id))
      issues.push(
        issue("duplicate_node_id", `node id "${n.id}" is used twice`, ["nodes", i, "id"], n.id, {
          node: n.id,
        }),
      );
    seen.add(n.id);
  });

  const triggers = journey.nodes
    .map((n, i) => [n, i] as const)
    .filter(([n]) => definitionOf(n).entry);
  if (triggers.length === 0)
    issues.push(issue("no_trigger", "the journey has no trigger node", ["nodes"]));
  for (const [n, i] of triggers.slice(1)) {
    issues.push(
      issue(
        "multiple_triggers",
        `second trigger "${n.id}"; a journey has exactly one`,
        ["nodes", i],
        n.id,
        { node: n.id },
      ),
    );
  }

  const g = buildGraph(journey);
  issues.push(...checkEdges(journey, g));
  const trigger = triggers[0]?.[0];
  if (trigger) issues.push(...checkReachability(g, trigger.id));
  issues.push(...checkSpinCycles(g));

  const reachCache = new Map<string, Set<string>>();
  const ctxBase = {
    journey,
    nodesById: g.nodes,
    reaches(from: string, to: string) {
      let set = reachCache.get(from);
      if (!set) {
        set = reachableFrom(g, from);
        set.delete(from);
        // A node reaches itself only through a cycle.
        for (const n of g.out.get(from) ?? []) if (reachableFrom(g, n).has(from)) set.add(from);
        reachCache.set(from, set);
      }
      return set.has(to);
    },
    options: {
      maxSmsParts: options.maxSmsParts ?? 3,
      linkShape: options.linkShape ?? DEFAULT_LINK_SHAPE,
      templateNames: options.templateNames ?? {},
      smsProvider: options.smsProvider ?? null,
    },
  };
  journey.nodes.forEach((node, i) => {
    const ctx: ValidateContext = { ...ctxBase, path: ["nodes", i] };
    issues.push(...definitionOf(node).validate(node, ctx));
  });
  return issues;
}
