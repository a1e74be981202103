import { useMemo } from "react";
import { type Journey, validate } from "../../../engine/index.ts";
import { entryEventOf } from "../../../engine/nodes/registry.ts";
import { issuesByNode } from "./mapping.ts";
import { useSendFacts, useTemplateNames } from "./send-facts.ts";

/**
 * The draft's issues as the server would find them: the same `validate`, with the links this
 * server mints and the names the workspace's contacts and trigger event carry. `facts` is what
 * the send forms read (SendFactsContext); `byNode` what the canvas paints.
 */
export function useDraftIssues(settled: Journey) {
  const sendFacts = useSendFacts();
  const names = useTemplateNames(entryEventOf(settled));
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
