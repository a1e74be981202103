import type { SendSpec } from "../../../../engine/nodes/send.ts";
import {
  type LinkShape,
  nonGsmCharacters,
  previewMessage,
  type SegmentCount,
  sampleTrackedLink,
  templateUser,
} from "../../../../engine/sms/index.ts";
import { type TemplateVars, templateVariables } from "../../../../engine/template/index.ts";

/**
 * The SMS as one sample contact would receive it, computed by the engine's own computation of
 * the send (engine/sms/compose.ts: template, tracked links as long as the server mints them,
 * the workspace's opt-out line, segments), so the preview cannot disagree with the send.
 */
export type PreviewLocale = "en" | "zh-CN";

/** The sample contact per preview locale; a real or demo contact comes with the contacts API. */
export const SAMPLE_CONTACTS: Record<PreviewLocale, Record<string, unknown>> = {
  en: {
    id: "demo-1",
    firstName: "Alex",
    lastName: "Rivera",
    city: "Los Angeles",
    points: 1280,
    coupon: "SAVE20",
    topItem: "running shoes",
  },
  "zh-CN": {
    id: "demo-2",
    firstName: "小美",
    lastName: "陈",
    city: "深圳",
    points: 1280,
    coupon: "SAVE20",
    topItem: "猫粮",
  },
};
export const SAMPLE_EVENT: Record<string, unknown> = {
  sku: "SKU-1042",
  item: "Trail runners",
  amount: 129,
  cartUrl: "https://shop.example.com/cart",
};

/**
 * What an email, push or webhook preview renders with: the English sample contact (with an
 * address, as an email needs), the sample event and the journey.
 */
export function sampleTemplateVars(journey: { id: string; name: string }): TemplateVars & {
  user: Record<string, unknown>;
} {
  const { id, ...attributes } = SAMPLE_CONTACTS.en;
  const user = templateUser({ id: String(id), attributes, email: "alex@example.com" });
  return { user, event: SAMPLE_EVENT, journey };
}

export type SmsPreview =
  | { ok: false; error: string; variables: string[] }
  | {
      ok: true;
      body: string;
      optOutAppended: boolean;
      segments: SegmentCount;
      nonGsm: string[];
      /** Variables the sample contact lacks: they render empty for contacts without them too. */
      missing: string[];
      variables: string[];
      locale: string;
      /** A tracked link as long as the server's, as shown in the body. */
      sampleLink: string;
    };

function lookup(root: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function previewSms(
  send: SendSpec,
  locale: PreviewLocale,
  journey: { id: string; name: string },
  facts: { linkShape: LinkShape; optOutLines?: Readonly<Record<string, string>> | undefined },
): SmsPreview {
  const vars = templateVariables(send.template);
  const variables = vars.ok ? vars.variables : [];
  const { id, ...attributes } = SAMPLE_CONTACTS[locale];
  const user = templateUser({ id: String(id), attributes, locale });
  const roots: Record<string, Record<string, unknown>> = { user, event: SAMPLE_EVENT, journey };
  const composed = previewMessage(send, {
    vars: { user, event: SAMPLE_EVENT, journey },
    contactLocale: locale,
    optOutLines: facts.optOutLines,
    linkShape: facts.linkShape,
  });
  if (!composed.ok) return { ok: false, error: composed.error, variables };
  const { body, segments } = composed;
  const missing = variables.filter((v) => {
    const [root, ...rest] = v.split(".");
    const top = root === undefined ? undefined : roots[root];
    return !top || lookup(top, rest) === undefined;
  });
  const counted = segments ?? {
    encoding: "GSM-7",
    characters: body.length,
    parts: 1,
    perPart: 160,
  };
  return {
    ok: true,
    body,
    optOutAppended: body !== composed.rendered,
    segments: counted,
    nonGsm: counted.encoding === "UCS-2" ? nonGsmCharacters(body) : [],
    missing,
    variables,
    // The node's locale overrides the contact's for the opt-out line, as in the send.
    locale: composed.locale ?? locale,
    sampleLink: sampleTrackedLink(facts.linkShape),
  };
}
