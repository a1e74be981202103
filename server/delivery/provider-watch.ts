import type { Knex } from "knex";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { DeliveryConfig } from "./config.ts";
import {
  effectiveChoices,
  listenForProviderChanges,
  onProvidersChanged,
  readStoredProviders,
} from "./provider-store.ts";
import { buildProvider, type ProviderDeps } from "./providers/index.ts";
import type { DeliveryLog, Provider, ProviderSet } from "./types.ts";

export interface ProviderWatch {
  /** The providers in effect now, per channel. */
  current(): ProviderSet;
  /** Re-reads Settings and swaps the channels whose choice changed (also run on every change). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The delivery worker's providers, kept in step with Settings: read once before the worker
 * starts, then again whenever a change is announced (this process's API, or a NOTIFY from
 * another process). Only a channel whose choice differs is rebuilt and handed to `onSwap`; the
 * worker finishes in-flight sends on the old provider. Two channels with the same choice (SMS
 * and the webhook channel on the environment's webhook) share one provider and its rate limit.
 */
export async function watchProviders(options: {
  knex: Knex;
  crypto: FieldCrypto;
  env: DeliveryConfig;
  deps: ProviderDeps;
  databaseUrl: string | undefined;
  log: DeliveryLog;
  onSwap: (channel: Channel, provider: Provider) => void;
}): Promise<ProviderWatch> {
  const { knex, crypto, env, deps, log } = options;
  const providers: ProviderSet = {};
  const keys = new Map<Channel, string>();
  let running: Promise<void> | null = null;
  let again = false;

  async function load(swap: boolean): Promise<void> {
    const choices = effectiveChoices(env, await readStoredProviders(knex, crypto), (channel, p) =>
      log.warn({ channel, problem: p }, "stored provider invalid; using the environment's"),
    );
    const built = new Map<string, Provider>();
    for (const channel of CHANNELS) {
      const key = JSON.stringify(choices[channel].choice);
      const same = keys.get(channel) === key ? providers[channel] : undefined;
      const provider = same ?? built.get(key) ?? buildProvider(choices[channel].choice, deps);
      built.set(key, provider);
      if (provider === providers[channel]) continue;
      keys.set(channel, key);
      providers[channel] = provider;
      if (swap) {
        log.info({ channel, source: choices[channel].source }, "delivery provider changed");
        options.onSwap(channel, provider);
      }
    }
  }

  /** One reload at a time; changes announced during one cause one more. */
  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load(true).catch((err: unknown) =>
          log.error({ err }, "could not reload delivery providers; keeping the current ones"),
        );
      } while (again);
      running = null;
    })();
    return running;
  }

  await load(false);
  const unsubscribe = onProvidersChanged(knex, () => void refresh());
  const listener = options.databaseUrl
    ? listenForProviderChanges(options.databaseUrl, knex, {
        onError: (err) => log.warn({ err }, "provider listener: reconnecting"),
      })
    : null;
  return {
    current: () => ({ ...providers }),
    refresh,
    async stop() {
      unsubscribe();
      await listener?.close();
      await running;
    },
  };
}
