import { createContext, useContext, useEffect, useState } from "react";
import type { TemplateNames } from "../../../engine/nodes/template-names.ts";
import { DEFAULT_LINK_SHAPE, type LinkShape } from "../../../engine/sms/index.ts";
import { api } from "../api.ts";

/**
 * What the workspace's server knows that a message's cost depends on: the tracked links it
 * mints (base URL and token length) and its opt-out line overrides. The editor's counter and
 * its validation compute with these, as the ticker does (engine/sms/compose.ts).
 */
export type SendFacts = {
  linkShape: LinkShape;
  optOutLines: Readonly<Record<string, string>> | undefined;
  /** False until the server answered: the counter then uses the default install's links. */
  loaded: boolean;
  /** Names contacts and the trigger's event have (useTemplateNames), for the variable chips. */
  templateNames?: TemplateNames | undefined;
};

const FALLBACK: SendFacts = {
  linkShape: DEFAULT_LINK_SHAPE,
  optOutLines: undefined,
  loaded: false,
};

export const SendFactsContext = createContext<SendFacts>(FALLBACK);
export const useSendFactsContext = () => useContext(SendFactsContext);

/** Loads the facts once per editor (GET /api/settings, readable by every role). */
export function useSendFacts(): SendFacts {
  const [facts, setFacts] = useState<SendFacts>(FALLBACK);
  useEffect(() => {
    let live = true;
    api
      .settings()
      .then((s) => {
        if (live) setFacts({ linkShape: s.links, optOutLines: s.policy.optOutLines, loaded: true });
      })
      // Unreachable settings leave the default install's shape: an estimate, said as such.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return facts;
}

/**
 * The attribute names contacts have and the trigger event's property names, for the
 * warnings on misspelt template variables (engine/nodes/template-names.ts). Undefined until the
 * server answered, and re-read when the trigger's event changes.
 */
export function useTemplateNames(event: string | null): TemplateNames | undefined {
  const [names, setNames] = useState<TemplateNames | undefined>(undefined);
  useEffect(() => {
    let live = true;
    api
      .templateNames(event)
      .then((n) => {
        if (live) setNames(n);
      })
      // Without names nothing is checked: the same as validating offline.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [event]);
  return names;
}
