export const CHANNELS = ["sms", "email", "push", "webhook"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CATEGORIES = ["promotional", "transactional", "service"] as const;
export type Category = (typeof CATEGORIES)[number];
