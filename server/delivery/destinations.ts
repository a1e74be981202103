import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where a webhook send may go. Its URL is written by whoever edits journeys, not by whoever
 * configures the server, so without a guard a journey could make the server call its own
 * admin ports, the private network, or the cloud metadata service (169.254.169.254 hands out
 * credentials). By default a send goes to public addresses only; WAYMARK_WEBHOOK_ALLOW_HOSTS
 * names hosts that may resolve to private or loopback ones (an internal service, a test
 * server). Link-local addresses, the metadata service's, are refused even then.
 *
 * The host is resolved here and again by fetch: a name that changes its answer in between
 * (DNS rebinding) is not caught. Pinning the address would need a custom dispatcher.
 */

/** Never: link-local, where the metadata services live. */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4");
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");

/** Not without an allow-list entry: loopback, private, shared and reserved ranges. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv6");
}

export type DestinationCheck = { kind: "allowed" } | { kind: "refused"; error: string };

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * `url` must already be an http(s) URL (the send step made it so). `setting` names the
 * allow-list in the refusal: push endpoints have their own (WAYMARK_PUSH_ALLOW_HOSTS).
 */
export async function checkDestination(
  url: string,
  allowHosts: readonly string[],
  setting = "WAYMARK_WEBHOOK_ALLOW_HOSTS",
): Promise<DestinationCheck> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  const allowed = allowHosts.includes(host);
  for (const raw of addresses) {
    const { address, family } = unmapped(raw);
    if (LINK_LOCAL.check(address, family)) {
      return { kind: "refused", error: `${host} is a link-local address (${address}), refused` };
    }
    if (!allowed && PRIVATE.check(address, family)) {
      return {
        kind: "refused",
        error: `${host} resolves to the private or loopback address ${address}; list it in ${setting} to allow it`,
      };
    }
  }
  return { kind: "allowed" };
}

/** `::ffff:169.254.169.254` is the IPv4 address as far as the network is concerned. */
function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return { address: v4, family: "ipv4" };
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}
