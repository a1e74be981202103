export {
  type ComposedTemplateSms,
  composeTemplateSms,
  fillPlaceholders,
  placeholders,
} from "./compose.ts";
export {
  type ChinaSmsCount,
  countChinaSms,
  PART_LIMIT,
  SINGLE_LIMIT,
  signedText,
} from "./count.ts";
export { hasLink, smsTemplateIssues } from "./issues.ts";
export {
  type SmsTemplateFields,
  SmsTemplateFieldsSchema,
  type SmsTemplateRequest,
  SmsTemplateRequestSchema,
} from "./spec.ts";
