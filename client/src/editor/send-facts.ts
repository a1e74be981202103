import { createContext, useContext, useEffect, useState } from "react";
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
