import { templateUser } from "../sms/index.ts";
import type { TemplateVars } from "../template/index.ts";
import type { StepContext } from "./types.ts";

/**
 * The variables a step's templates render with: the contact as `user`, the trigger's properties
 * as `event`, the journey's id and name. Every node that renders (a send's message, an update's
 * value) asks here, so `{{ user.firstName }}` means the same in each.
 */
export function stepTemplateVars(
  ctx: Pick<StepContext, "contact" | "enrollment" | "journey">,
): TemplateVars {
  return {
    user: templateUser(ctx.contact),
    event: ctx.enrollment.trigger?.properties ?? {},
    journey: { id: ctx.journey.id, name: ctx.journey.name },
  };
}
