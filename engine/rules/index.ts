export { consentRequiredFor, consentRule } from "./consent.ts";
export { cooldownCovers, cooldownRule } from "./cooldown.ts";
export { decide, describeReason, RULES } from "./decide.ts";
export { capsFor, frequencyCapRule } from "./frequency-cap.ts";
export { optOutRule } from "./opt-out.ts";
export { DEFAULT_POLICY, defaultPolicy } from "./policy.ts";
export {
  DEFAULT_QUIET_HOURS_FOR,
  inSendingWindow,
  nextOpening,
  quietHoursApply,
  quietHoursRule,
} from "./quiet-hours.ts";
export {
  type CapRule,
  type ConsentRecord,
  type ContactState,
  type Cooldown,
  type Decision,
  type DeferDecision,
  type OptOut,
  type Policy,
  REASON_CODES,
  type ReasonCode,
  type Rule,
  type SendRequest,
  type SentMessage,
  type SuppressDecision,
} from "./types.ts";
export { unopenedStreakRule } from "./unopened-streak.ts";
