/**
 * What a `| track` may point at. Only http(s): a redirect from our domain to `javascript:` or
 * `data:` is an attack, and a target without a scheme (`www.shop.com/sale`) cannot resolve. The
 * runtime's link minter refuses anything else, which suppresses the send (`template_error`); the
 * simulator and the preview apply the same rule so they say so before it happens.
 */
export function isLinkable(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}

/** Throws the error the renderer turns into a failed render, naming the target. */
export function assertLinkable(url: string): void {
  if (!isLinkable(url)) throw new Error(`not an http(s) URL: ${url.slice(0, 100)}`);
}
