/** The console's pages, parsed from the URL path. Pure, so it is unit-tested without a DOM. */
export type Route =
  | { page: "journeys" }
  | { page: "editor"; journeyId: string }
  | { page: "not-found"; path: string };

const EDITOR = /^\/journeys\/([^/]+)\/?$/;

export function matchRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "/journeys" || pathname === "/journeys/") {
    return { page: "journeys" };
  }
  const m = EDITOR.exec(pathname);
  if (m?.[1]) {
    try {
      return { page: "editor", journeyId: decodeURIComponent(m[1]) };
    } catch {
      // A malformed escape (%E0%A4%A) is a bad link, not a crash.
      return { page: "not-found", path: pathname };
    }
  }
  return { page: "not-found", path: pathname };
}

export function editorPath(journeyId: string): string {
  return `/journeys/${encodeURIComponent(journeyId)}`;
}
