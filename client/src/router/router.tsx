import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";
import { matchRoute, type Route } from "./routes.ts";

/**
 * A tiny router on the history API: a handful of pages do not justify a dependency. `navigate` pushes
 * a history entry and notifies subscribers; the back button arrives as `popstate`.
 */
const NAVIGATE = "waymark:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

const pathname = () => window.location.pathname;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useRoute(): Route {
  return matchRoute(useSyncExternalStore(subscribe, pathname));
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An anchor that navigates in-app on a plain click and stays a real link otherwise. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  function handle(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    // Modified clicks (new tab, download) and non-primary buttons keep browser behaviour.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    navigate(href);
  }
  return <a href={href} onClick={handle} {...rest} />;
}
