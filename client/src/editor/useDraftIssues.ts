import { useMemo } from "react";
import { type Journey, validate } from "../../../engine/index.ts";
import { issuesByNode } from "./mapping.ts";
import { useSendFacts, useTemplateNames } from "./send-facts.ts";

/** The event that enters the journey, whose properties `event.*` reads; null otherwise. */
function triggerEvent(doc: Journey): string | null {
  for (const n of doc.nodes) {
    if (n.type === "trigger" && n.trigger.kind === "event") return n.trigger.event || null;
  }
  return null;
}

/**
 * The draft's issues as the server would find them: the same `validate`, with the links this
 * server mints and the names the workspace's contacts and trigger event carry. `facts` is what
 * the send forms read (SendFactsContext); `byNode` what the canvas paints.
 */
export function useDraftIssues(settled: Journey) {
  const sendFacts = useSendFacts();
  const names = useTemplateNames(triggerEvent(settled));
  const facts = useMemo(() => ({ ...sendFacts, templateNames: names }), [sendFacts, names]);
  const issues = useMemo(
    () =>
      validate(settled, {
        linkShape: sendFacts.linkShape,
        ...(names ? { templateNames: names } : {}),
      }),
    [settled, sendFacts.linkShape, names],
  );
  const byNode = useMemo(() => issuesByNode(issues), [issues]);
  const errors = issues.filter((i) => i.severity === "error").length;
  return { facts, issues, byNode, errors };
}
