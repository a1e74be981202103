import { parseHhmm } from "../../../../engine/time/index.ts";
import { humanizeDuration } from "../durations.ts";
import { humanizeKey } from "../schema/introspect.ts";

/**
 * Words for the schema-derived form. The schema decides which fields exist; this only names
 * them where the key alone reads badly. A key missing here gets a humanized label.
 */
const LABELS: Record<string, string> = {
  node: "Send node",
  template: "Message",
  offsetDays: "Offset (days)",
  exitOn: "Exit when",
  testList: "Test list",
  quietHours: "Quiet hours override",
  reentry: "Re-entry",
  where: "Only when",
  fallback: "Fallback time",
  percent: "Percent",
  time: "Time",
  by: "Add",
  as: "Store as",
  preheader: "Preheader",
  html: "HTML body",
  replyTo: "Reply-to",
  webhook: "Request",
  url: "URL",
  push: "Notification",
  icon: "Icon URL",
  smsTemplate: "Approved template (China)",
  code: "Template code",
  signName: "Sign name",
  params: "Parameters",
};

const HINTS: Record<string, string> = {
  within: "How long to wait for it before taking “no”.",
  offsetDays: "Days after the date; negative = before.",
  yearly: "Every year on the anniversary (birthdays).",
  exitOn: "Any of these events ends the journey for the user at once.",
  goal: "Counts a conversion when it happens in time; the user stays in the journey.",
  quietHours: "Allowed sending window in the user's local time; sends outside it wait.",
  testList: "Contact ids that test sends may go to, one per line.",
  reentry: "May a user enter again after finishing?",
  weekdays: "Leave all off for every day.",
  match: "All conditions must hold, or any one.",
  audience: "Membership is checked when the user reaches this step.",
  email: "Subject, HTML body and sender; the message above is the plain-text part.",
  preheader: "The inbox's preview line after the subject.",
  from: "news@shop.example or Shop <news@shop.example>; empty: the workspace sender.",
  webhook:
    "Your own method, URL, headers and JSON body; off: Waymark's envelope to the server's webhook URL.",
  url: "http(s); Liquid in the path and query only, values URL-encoded.",
  push: "Title, icon and where a click goes; the message above is the notification's text.",
  icon: "https; shown beside the title. Liquid in the path and query only.",
  smsTemplate: `For Aliyun: the provider sends only templates it approved. The message above is then the approved text, with \${name} placeholders.`,
  code: "As the provider's console lists it, e.g. SMS_154950909.",
  signName: "The approved sign name, without 【】; it starts every message.",
  params: `One Liquid value per \${name} in the approved text; no links (the provider forbids them).`,
};

const OPTIONS: Record<string, string> = {
  sms: "SMS",
  api: "API call",
  event: "Event",
  audience: "Audience",
  date_attribute: "Date attribute (birthday…)",
  until_attribute: "Until a date attribute",
  time_of_day: "Time of day",
  best_hour: "User's most active hour",
  engagement: "Engagement (opened, clicked)",
  condition: "Attributes",
  opened: "opened (tracked link clicked)",
  set: "Set a value",
  increment: "Add to a number (a counter)",
};

export const labelFor = (key: string) => LABELS[key] ?? humanizeKey(key);
export const hintFor = (key: string) => HINTS[key];
export const optionLabel = (value: string) => OPTIONS[value] ?? value.replaceAll("_", " ");

/** "PT1H = 1 hour": the ISO value read back in words, or what is wrong with it. */
export function durationHint(iso: string): { ok: boolean; text: string } {
  if (iso.trim() === "")
    return { ok: false, text: "e.g. PT1H = 1 hour, P2D = 2 days, P1W = 1 week" };
  const words = humanizeDuration(iso);
  return words
    ? { ok: true, text: `${iso} = ${words}` }
    : {
        ok: false,
        text: "Not an ISO 8601 duration: PT30M = 30 minutes, PT2H = 2 hours, P3D = 3 days",
      };
}

export const isTime = (s: string) => parseHhmm(s) !== null;
