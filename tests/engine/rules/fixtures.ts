import { defaultPolicy } from "../../../engine/rules/policy.ts";
import type {
  ContactState,
  Policy,
  SendRequest,
  SentMessage,
} from "../../../engine/rules/types.ts";
import type { Category, Channel } from "../../../engine/shared/channels.ts";

export const t = (iso: string) => Date.parse(iso);
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

export function send(
  category: Category = "promotional",
  channel: Channel = "sms",
  journeyId = "winback",
): SendRequest {
  return { channel, category, journeyId, nodeId: "n1" };
}

/** A Shanghai contact who consented to promotional SMS and email, with no history. */
export function contact(overrides: Partial<ContactState> = {}): ContactState {
  return {
    timezone: "Asia/Shanghai",
    phone: "+8613800138000",
    consent: {
      sms: { promotional: { granted: true, source: "signup", at: 0 } },
      email: { promotional: { granted: true, source: "signup", at: 0 } },
    },
    optOuts: [],
    recentSends: [],
    cooldowns: [],
    ...overrides,
  };
}

export function sent(at: number, overrides: Partial<SentMessage> = {}): SentMessage {
  return {
    at,
    channel: "sms",
    category: "promotional",
    opened: true,
    journeyId: "winback",
    nodeId: "n1",
    ...overrides,
  };
}

export function policy(overrides: Partial<Policy> = {}): Policy {
  return defaultPolicy({ workspaceTimezone: "Asia/Shanghai", ...overrides });
}
