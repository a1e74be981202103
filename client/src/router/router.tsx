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

/**
 * Asked before an in-app navigation leaves the page (a link, the back button): resolves true
 * to go. The editor sets one while it holds unsaved work; the browser's own `beforeunload`
 * covers reloads and closing the tab.
 */
export type LeaveGuard = () => Promise<boolean>;
let leaveGuard: LeaveGuard | null = null;
/** The path the guard protects: where the back button is undone to while it asks. */
let guardedPath = "";

export function setLeaveGuard(guard: LeaveGuard | null): void {
  leaveGuard = guard;
  guardedPath = window.location.pathname;
}

function go(to: string, replace: boolean): void {
  if (to === window.location.pathname) return;
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname) return;
  const replace = options.replace ?? false;
  const guard = leaveGuard;
  if (!guard) go(to, replace);
  else
    void guard().then((ok) => {
      if (ok) go(to, replace);
    });
}

// The back button has already changed the URL when popstate fires: while a guard is set, put
// the page's URL back (before the router's own listener, registered later, sees the event) and
// go on only if the guard agrees. Registered at module load so it runs first.
if (typeof window !== "undefined") {
  window.addEventListener("popstate", (e) => {
    const guard = leaveGuard;
    if (!guard || window.location.pathname === guardedPath) return;
    const to = window.location.pathname;
    e.stopImmediatePropagation();
    window.history.pushState(null, "", guardedPath);
    void guard().then((ok) => {
      if (ok) go(to, false);
    });
  });
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
