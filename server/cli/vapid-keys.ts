import webpush from "web-push";

/**
 * `waymark vapid-keys [--subject mailto:you@shop.example]`: a new VAPID key pair (RFC 8292) for
 * web push, printed as the environment lines to set. Make it once: browsers subscribe with the
 * public key, and a new pair orphans every subscription made with the old one (push services
 * answer 403 to them).
 */
export async function run(args: string[]): Promise<number> {
  let subject = "mailto:you@example.com";
  if (args.length === 2 && args[0] === "--subject" && args[1]) subject = args[1];
  else if (args.length > 0) {
    process.stderr.write("usage: waymark vapid-keys [--subject mailto:you@shop.example]\n");
    return 2;
  }
  const keys = webpush.generateVAPIDKeys();
  process.stdout.write(
    [
      "# Web push: set these once and keep them (a new pair orphans existing subscriptions).",
      `WAYMARK_VAPID_PUBLIC_KEY=${keys.publicKey}`,
      `WAYMARK_VAPID_PRIVATE_KEY=${keys.privateKey}`,
      `WAYMARK_VAPID_SUBJECT=${subject}`,
      "",
    ].join("\n"),
  );
  return 0;
}
