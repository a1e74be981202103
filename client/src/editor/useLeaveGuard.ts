import { useEffect, useState } from "react";
import { setLeaveGuard } from "../router/router.tsx";

/** How long leaving waits for a last save before asking. */
const LEAVE_SAVE_WAIT_MS = 3000;

/**
 * Leaving in-app with unsaved work: save it now if the server takes it, else ask first. Returns
 * the pending question (null when none) and how to answer it (true: leave).
 */
export function useLeaveGuard(save: {
  flush: () => Promise<void>;
  unsaved: () => boolean;
}): [asking: boolean, answer: (leave: boolean) => void] {
  const [leaving, setLeaving] = useState<((leave: boolean) => void) | null>(null);
  const { flush, unsaved } = save;
  useEffect(() => {
    setLeaveGuard(async () => {
      if (!unsaved()) return true;
      const timeout = new Promise<void>((done) => setTimeout(done, LEAVE_SAVE_WAIT_MS));
      await Promise.race([flush().catch(() => undefined), timeout]);
      if (!unsaved()) return true;
      return new Promise<boolean>((answer) => setLeaving(() => answer));
    });
    return () => setLeaveGuard(null);
  }, [flush, unsaved]);
  const answer = (leave: boolean) => {
    setLeaving(null);
    leaving?.(leave);
  };
  return [leaving !== null, answer];
}
