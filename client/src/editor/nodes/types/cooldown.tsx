import {
  type CooldownNode,
  type CooldownSpec,
  cooldownApplies,
} from "../../../../../engine/nodes/cooldown.ts";
import { humanizeDuration } from "../../durations.ts";
import { Select } from "../../panel/inputs.tsx";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

const APPLIES_OPTIONS = [
  { value: "other_journeys", label: "Other journeys only" },
  { value: "all_journeys", label: "All journeys, this one included" },
] as const;

/**
 * Whom a cooldown holds back and for how long, in words: "Holds other journeys' promotional
 * sends for 7 days". The card and the form both say it, because a marketer reads "cooldown" as
 * a pause of other campaigns (issue 16); absent `applies` is the old all-journeys meaning.
 */
export function describeCooldown(c: CooldownSpec): string {
  const what = c.scope === "all" ? "sends" : `${c.scope} sends`;
  const long = humanizeDuration(c.duration) ?? c.duration;
  return cooldownApplies(c) === "other_journeys"
    ? `Holds other journeys' ${what} for ${long}`
    : `Holds every journey's ${what} for ${long}, this one's included`;
}

export const cooldownUi: NodeUi<CooldownNode> = {
  label: "Cooldown",
  hint: "Hold other journeys' sends for a while",
  color: "#2563eb",
  icon: { path: "M8 1v14M2 4.5l12 7M14 4.5l-12 7" },
  idPrefix: "cooldown",
  // New steps hold other journeys only: its own later sends going out is what a marketer
  // expects of a cooldown (issue 16). Documents without the field keep "all_journeys".
  create: (id, position) => ({
    id,
    type: "cooldown",
    cooldown: { duration: "P7D", scope: "promotional", applies: "other_journeys" },
    position,
  }),
  summary: (node) => describeCooldown(node.cooldown),
  component: OneOutNode,
  field(node, path, _value, onChange) {
    if (path !== "cooldown.applies") return undefined;
    return (
      <Select
        label="Holds back"
        value={cooldownApplies(node.cooldown)}
        options={APPLIES_OPTIONS}
        hint="Other journeys only: this journey's own later sends still go out. All journeys: a full pause, this journey's later sends of this kind are suppressed too."
        onChange={(v) => onChange(v, null)}
      />
    );
  },
  Inspector: ({ node }) => (
    <p className="cooldown-summary" data-testid="cooldown-summary">
      {describeCooldown(node.cooldown)}.
    </p>
  ),
};
