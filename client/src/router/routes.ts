/** The console's pages, parsed from the URL path. Pure, so it is unit-tested without a DOM. */
export type Route =
  | { page: "journeys" }
  | { page: "editor"; journeyId: string }
  | { page: "contacts" }
  | { page: "contact"; contactId: string }
  | { page: "messages" }
  | { page: "settings" }
  | { page: "audiences" }
  | { page: "audience"; audienceId: string }
  | { page: "results"; journeyId: string }
  | { page: "not-found"; path: string };

/** Top-level sections, in the order the top bar lists them. */
export type Section = "journeys" | "audiences" | "contacts" | "messages" | "settings";

const EDITOR = /^\/journeys\/([^/]+)\/?$/;
const CONTACT = /^\/contacts\/([^/]+)\/?$/;
const AUDIENCE = /^\/audiences\/([^/]+)\/?$/;
const RESULTS = /^\/journeys\/([^/]+)\/results\/?$/;

function decoded(raw: string, pathname: string, ok: (value: string) => Route): Route {
  try {
    return ok(decodeURIComponent(raw));
  } catch {
    // A malformed escape (%E0%A4%A) is a bad link, not a crash.
    return { page: "not-found", path: pathname };
  }
}

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  switch (path) {
    case "/":
    case "/journeys":
      return { page: "journeys" };
    case "/contacts":
      return { page: "contacts" };
    case "/messages":
      return { page: "messages" };
    case "/settings":
      return { page: "settings" };
    case "/audiences":
      return { page: "audiences" };
  }
  const results = RESULTS.exec(pathname);
  if (results?.[1])
    return decoded(results[1], pathname, (journeyId) => ({ page: "results", journeyId }));
  const audience = AUDIENCE.exec(pathname);
  if (audience?.[1])
    return decoded(audience[1], pathname, (audienceId) => ({ page: "audience", audienceId }));
  const editor = EDITOR.exec(pathname);
  if (editor?.[1])
    return decoded(editor[1], pathname, (journeyId) => ({ page: "editor", journeyId }));
  const contact = CONTACT.exec(pathname);
  if (contact?.[1])
    return decoded(contact[1], pathname, (contactId) => ({ page: "contact", contactId }));
  return { page: "not-found", path: pathname };
}

/** Which top-bar section a page belongs to (the editor is part of Journeys). */
export function sectionOf(route: Route): Section | null {
  switch (route.page) {
    case "journeys":
    case "editor":
    case "results":
      return "journeys";
    case "audiences":
    case "audience":
      return "audiences";
    case "contacts":
    case "contact":
      return "contacts";
    case "messages":
      return "messages";
    case "settings":
      return "settings";
    case "not-found":
      return null;
  }
}

export function editorPath(journeyId: string): string {
  return `/journeys/${encodeURIComponent(journeyId)}`;
}

export function contactPath(contactId: string | number): string {
  return `/contacts/${encodeURIComponent(String(contactId))}`;
}

export function audiencePath(audienceId: string): string {
  return `/audiences/${encodeURIComponent(audienceId)}`;
}

export function resultsPath(journeyId: string): string {
  return `/journeys/${encodeURIComponent(journeyId)}/results`;
}
