import type { Request } from "express";
import type { Knex } from "knex";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import { ErrorBody } from "../api/common.ts";
import {
  ProviderList,
  ProviderPutBody,
  ProviderTestBody,
  ProviderTestResult,
  ProviderView,
} from "../api/providers.ts";
import { actorFrom, audit } from "../audit/audit.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import {
  checkProviderUrls,
  resolveForm,
  sendTest,
  testRecipient,
  viewOf,
} from "../delivery/provider-admin.ts";
import {
  announceProvidersChange,
  choiceFrom,
  effectiveChoices,
  providersChanged,
  readStoredProviders,
  type StoredProvider,
} from "../delivery/provider-store.ts";
import { envChoice } from "../delivery/providers/index.ts";
import {
  deleteProviderRow,
  lockProviderRow,
  upsertProviderRow,
} from "../delivery/sql/providers.ts";
import type { DeliveryLog } from "../delivery/types.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/** A test send answers within this much more than the providers' own timeout, whatever happens. */
const TEST_GRACE_MS = 2000;

/**
 * Settings → Providers (admin only): the provider per channel, stored over the environment's.
 * Every change commits with its audit entry (channel, kind, which secret fields changed —
 * never a value) and a NOTIFY that makes running workers rebuild that channel's provider.
 */
export function providerRoutes(
  knex: Knex,
  crypto: FieldCrypto,
  delivery: DeliveryConfig,
  log: DeliveryLog,
  now: () => Date,
): RouteSpec[] {
  const channelOf = (req: Request): Channel => {
    const raw = param(req, "channel");
    const channel = CHANNELS.find((c) => c === raw);
    if (!channel) {
      const message = `must be one of ${CHANNELS.join(", ")}`;
      throw new HttpError(400, "invalid_channel", `channel: ${message}`, [
        { path: "channel", message },
      ]);
    }
    return channel;
  };
  const storedFor = async (channel: Channel): Promise<StoredProvider | null> =>
    (await readStoredProviders(knex, crypto)).find((s) => s.channel === channel) ?? null;
  const viewFor = async (channel: Channel) =>
    viewOf(channel, await storedFor(channel), envChoice(delivery, channel).kind);
  const views = async () => {
    const stored = await readStoredProviders(knex, crypto);
    return CHANNELS.map((channel) =>
      viewOf(
        channel,
        stored.find((s) => s.channel === channel) ?? null,
        envChoice(delivery, channel).kind,
      ),
    );
  };

  return [
    {
      method: "get",
      path: "/api/providers",
      access: [],
      summary:
        "The provider per channel: from Settings or the environment; secrets only as set/not set (admin)",
      responses: { 200: ProviderList },
      async handler(_req, res) {
        res.json({ providers: await views() });
      },
    },
    {
      method: "put",
      path: "/api/providers/:channel",
      access: [],
      summary:
        "Choose a channel's provider (admin): omitted secrets are kept, null ones cleared; workers switch without a restart",
      body: ProviderPutBody,
      responses: { 200: ProviderView },
      async handler(req, res) {
        const channel = channelOf(req);
        const body = parseBody(ProviderPutBody, req.body);
        const form = resolveForm(channel, body, await storedFor(channel));
        await checkProviderUrls(form.settings, delivery.allowHosts);
        const at = now();
        const actor = actorFrom(req);
        await knex.transaction(async (trx) => {
          const previous = await lockProviderRow(trx, channel);
          const secrets = form.stored.secrets;
          await upsertProviderRow(trx, {
            channel,
            kind: body.kind,
            settings: form.stored.settings,
            secretsEncrypted:
              Object.keys(secrets).length > 0 ? crypto.sealSecret(JSON.stringify(secrets)) : null,
            updatedBy: actor.name,
            updatedAt: at,
          });
          await audit(trx, req, {
            action: "provider.update",
            subject: { type: "provider", id: channel },
            details: {
              channel,
              kind: body.kind,
              previousKind: previous?.kind ?? null,
              settings: form.stored.settings,
              secretsChanged: form.secretsChanged,
            },
            at,
          });
          await announceProvidersChange(trx);
        });
        providersChanged(knex);
        res.json(await viewFor(channel));
      },
    },
    {
      method: "delete",
      path: "/api/providers/:channel",
      access: [],
      summary: "Forget a channel's stored provider (admin): it goes back to the environment's",
      responses: { 200: ProviderView, 404: ErrorBody },
      async handler(req, res) {
        const channel = channelOf(req);
        const at = now();
        const removed = await knex.transaction(async (trx) => {
          const previous = await lockProviderRow(trx, channel);
          if (!previous) return false;
          await deleteProviderRow(trx, channel);
          await audit(trx, req, {
            action: "provider.delete",
            subject: { type: "provider", id: channel },
            details: { channel, kind: previous.kind },
            at,
          });
          await announceProvidersChange(trx);
          return true;
        });
        if (!removed) {
          throw new HttpError(404, "not_found", `no provider stored for ${channel}`);
        }
        providersChanged(knex);
        res.json(await viewFor(channel));
      },
    },
    {
      method: "post",
      path: "/api/providers/:channel/test",
      access: [],
      summary:
        "Send one test message through a channel's provider, saved or as in the form (admin); answers the provider's outcome",
      body: ProviderTestBody,
      responses: { 200: ProviderTestResult },
      async handler(req, res) {
        const channel = channelOf(req);
        const body = parseBody(ProviderTestBody, req.body);
        const to = testRecipient(channel, body.to);
        const stored = await storedFor(channel);
        let choice = effectiveChoices(delivery, stored ? [stored] : [])[channel].choice;
        if (body.provider) {
          const form = resolveForm(channel, body.provider, stored);
          await checkProviderUrls(form.settings, delivery.allowHosts);
          choice = choiceFrom(form.settings);
        } else if (stored) {
          const form = resolveForm(channel, { ...stored, secrets: {} }, stored);
          await checkProviderUrls(form.settings, delivery.allowHosts);
        }
        const result = await sendTest(
          channel,
          choice,
          {
            config: delivery,
            log,
            email: { crypto, linkBase: delivery.publicUrl ?? requestOrigin(req) },
            push: { knex, crypto },
          },
          {
            to,
            smsTemplate: body.smsTemplate ? { kind: "sms_template", ...body.smsTemplate } : null,
          },
          delivery.timeoutMs + TEST_GRACE_MS,
        );
        await audit(knex, req, {
          action: "provider.test",
          subject: { type: "provider", id: channel },
          details: { channel, kind: result.kind, result: result.result, unsaved: !!body.provider },
          at: now(),
        });
        res.json(result);
      },
    },
  ];
}
