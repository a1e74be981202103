/**
 * A webhook URL as logs and the console show it: origin and path, each query key with its value
 * replaced by "…". Query strings carry tokens and API keys (`?token=…`), and the timeline is
 * read by every operator role; the request itself keeps its full URL. Null for what does not
 * parse as a URL.
 */
export function shownWebhookUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const keys = [...new Set(u.searchParams.keys())];
  const query = keys.length > 0 ? `?${keys.map((k) => `${k}=…`).join("&")}` : "";
  return `${u.origin}${u.pathname}${query}`;
}
