export {
  type Composed,
  type ComposeInput,
  composeMessage,
  DEFAULT_LINK_SHAPE,
  type LinkShape,
  type MessageSpec,
  previewMessage,
  sampleTrackedLink,
  templateUser,
  trackedLink,
  withOptOut,
} from "./compose.ts";
export {
  isOptInReply,
  isOptOutReply,
  normalizeReply,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
} from "./keywords.ts";
export { appendOptOut, DEFAULT_OPT_OUT_LINES, optOutLineFor } from "./opt-out-line.ts";
export {
  countSegments,
  nonGsmCharacters,
  type SegmentCount,
  type SmsEncoding,
} from "./segments.ts";
