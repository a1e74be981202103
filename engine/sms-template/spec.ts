import { z } from "zod";

/**
 * A template SMS, as mainland China's providers (Aliyun, Tencent Cloud) take it: they send no
 * free text, only a template approved beforehand, named by its code, under an approved sign
 * name, with values for its parameters. On a send node `send.smsTemplate` names the code, the
 * sign name and one Liquid expression per parameter, and `send.template` holds the approved
 * text as the provider shows it (`您的订单${order}已发货`), so the console and the timeline show
 * what the person receives. Nested like `send.email` and `send.webhook`: sends without it parse
 * and deliver as before.
 */

/** Aliyun's `${name}` placeholder; Tencent's `{1}` numbered ones are not modelled yet. */
export const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export const SmsTemplateParamSchema = z.strictObject({
  /** The placeholder's name in the approved text, without `${}`. */
  name: z.string().regex(PARAM_NAME),
  /** Liquid: `{{ user.firstName }}`, `{{ event.orderId }}`. */
  value: z.string().max(500),
});

export const SmsTemplateFieldsSchema = z.strictObject({
  /** The approved template's code, as the provider's console lists it (`SMS_154950909`). */
  code: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
  /** The approved sign name without its brackets; sent as `【name】` before the text. */
  signName: z
    .string()
    .min(2)
    .max(20)
    .regex(/^[^【】[\]]+$/),
  /** A list, not a map: the names are the template author's, never object keys (issue #14). */
  params: z.array(SmsTemplateParamSchema).max(20),
});
export type SmsTemplateFields = z.infer<typeof SmsTemplateFieldsSchema>;

/** What the send effect and messages.payload carry: the parameters rendered for one contact. */
export const SmsTemplateRequestSchema = z.strictObject({
  kind: z.literal("sms_template"),
  code: z.string(),
  signName: z.string(),
  /** Parameter name → rendered value, serialised as the provider's TemplateParam JSON. */
  params: z.array(z.strictObject({ name: z.string(), value: z.string() })),
});
export type SmsTemplateRequest = z.infer<typeof SmsTemplateRequestSchema>;
