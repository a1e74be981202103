import { createTwilioProvider } from "../../server/delivery/providers/twilio.ts";
import type { Provider } from "../../server/delivery/types.ts";
import type { FakeTwilio } from "./fake-twilio.ts";

/** The real Twilio provider pointed at `fake`, as a test's delivery worker sends with it. */
export function fakeTwilioProvider(
  fake: FakeTwilio,
  options: { timeoutMs?: number; ratePerSecond?: number | null } = {},
): Provider {
  return createTwilioProvider({
    config: {
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: "+15005550006",
      baseUrl: fake.baseUrl,
    },
    publicUrl: undefined,
    timeoutMs: options.timeoutMs ?? 2000,
    ratePerSecond: options.ratePerSecond ?? null,
  });
}
