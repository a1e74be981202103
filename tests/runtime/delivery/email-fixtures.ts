import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** Shared by the email tests: a real SMTP server, the journeys, a browser's user agent. */

export const START = "2026-03-02T12:00:00Z";
export const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

/** An SMTP server that keeps what it accepted, and answers DATA with planned errors first. */
export async function startSmtp() {
  const accepted: ParsedMail[] = [];
  const refused: string[] = [];
  const plan: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const code = plan.shift();
        void simpleParser(raw).then((mail) => {
          if (code === undefined) {
            accepted.push(mail);
            return done();
          }
          refused.push(mail.messageId ?? "");
          const err = Object.assign(
            new Error(code >= 500 ? "mailbox unavailable" : "try again later"),
            {
              responseCode: code,
            },
          );
          done(err);
        });
      });
    },
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    refused,
    plan,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export const JOURNEY = {
  format: "waymark/journey@1",
  id: "email-cart",
  name: "Email cart",
  settings: { testList: ["tess"] },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
    {
      id: "e1",
      type: "send",
      send: {
        channel: "email",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your cart: {{ 'https://shop.example/cart' | track }}",
        email: {
          subject: "{{ user.firstName }}, you left something",
          preheader: "10% off until midnight",
          html: "<html><body><p>Hi {{ user.firstName }}</p><a href=\"{{ 'https://shop.example/cart' | track }}\">Your cart</a></body></html>",
          replyTo: "help@shop.example",
        },
      },
    },
    { id: "wait", type: "wait", wait: { kind: "duration", duration: "PT1H" } },
    {
      id: "e2",
      type: "send",
      send: {
        channel: "email",
        category: "promotional",
        template: "Last call, {{ user.firstName }}",
        email: { subject: "Last call" },
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "e1" },
    { from: "e1", to: "wait" },
    { from: "wait", to: "e2" },
    { from: "e2", to: "done" },
  ],
};

/** An email, then "opened within an hour?": the engagement branch an email open feeds. */
export const OPEN_BRANCH = {
  format: "waymark/journey@1",
  id: "email-open",
  name: "Email open",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "browse_abandoned" } },
    {
      id: "e1",
      type: "send",
      send: {
        channel: "email",
        category: "transactional",
        template: "Still looking?",
        email: { subject: "Still looking?", html: "<p>Still looking?</p>" },
      },
    },
    {
      id: "opened",
      type: "branch",
      branch: { kind: "engagement", node: "e1", signal: "opened", within: "PT1H" },
    },
    { id: "yes", type: "exit" },
    { id: "no", type: "exit" },
  ],
  edges: [
    { from: "start", to: "e1" },
    { from: "e1", to: "opened" },
    { from: "opened", to: "yes", path: "yes" },
    { from: "opened", to: "no", path: "no" },
  ],
};
