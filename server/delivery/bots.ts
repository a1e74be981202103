/**
 * Link-preview and crawler user agents. Chat apps fetch a link to draw its preview the moment a
 * message arrives (iMessage shows the SMS's link as a card); counting those as clicks would
 * make every message look "opened". Such requests still get the redirect (the preview needs the
 * page), they just record nothing. Matched case-insensitively anywhere in the User-Agent:
 *
 *  - Slackbot (Slack), facebookexternalhit / Facebot (Facebook, Messenger, and iMessage, which
 *    sends "facebookexternalhit/1.1 Facebot Twitterbot/1.0"), Twitterbot (X), WhatsApp,
 *    TelegramBot, Discordbot, LinkedInBot, SkypeUriPreview (Skype, Teams), Applebot, Googlebot,
 *    bingbot, Pinterestbot, redditbot, Embedly, Iframely, vkShare, W3C_Validator, Snapchat
 *    preview, Google's "Google-PageRenderer" and a generic bot/crawler/spider/preview catch-all.
 *  - Scripted HTTP clients (curl, Wget, python-requests/urllib, Go-http-client, Java,
 *    libwww-perl, axios, Node's fetch which sends "node", undici): link scanners at carriers
 *    and in security tools use them, phones do not.
 *  - No User-Agent at all (scripts, scanners): real phones always send one.
 */
const BOT_PATTERN = new RegExp(
  [
    "slackbot",
    "slack-imgproxy",
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "applebot",
    "googlebot",
    "google-pagerenderer",
    "bingbot",
    "pinterestbot",
    "redditbot",
    "embedly",
    "iframely",
    "vkshare",
    "w3c_validator",
    "snapchat",
    "\\bbot\\b",
    "crawler",
    "spider",
    "preview",
    "^curl/",
    "^wget/",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "^java/",
    "libwww-perl",
    "^axios/",
    "^node$",
    "^undici",
  ].join("|"),
  "i",
);

export function isLinkPreviewBot(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim() === "") return true;
  return BOT_PATTERN.test(userAgent);
}

/**
 * Email opens that no person made. Mail providers fetch images on their own: Apple Mail
 * Privacy Protection loads every image of every message through Apple's proxy as it arrives
 * (its requests say only "Mozilla/5.0"), Yahoo's proxy prefetches, and security gateways scan
 * (their crawlers match the link-preview list above). Counting those would mark every email
 * opened and hide the unopened streak. Gmail's image proxy fetches when the person opens the
 * message, so it counts.
 */
const MACHINE_OPEN =
  /^mozilla\/5\.0$|yahoomailproxy|barracuda|mimecast|proofpoint|ms-office-scanner/i;

export function isMachineOpen(userAgent: string | undefined): boolean {
  if (isLinkPreviewBot(userAgent)) return true;
  return MACHINE_OPEN.test((userAgent ?? "").trim());
}
