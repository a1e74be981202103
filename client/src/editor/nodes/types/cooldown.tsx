import {
  type CooldownNode,
  type CooldownSpec,
  cooldownApplies,
} from "../../../../../engine/nodes/cooldown.ts";
import { i18n, msgKey } from "../../../i18n/index.ts";
import { humanizeDuration } from "../../durations.ts";
import { Select } from "../../panel/inputs.tsx";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

const APPLIES_OPTIONS = [
  { value: "other_journeys", label: msgKey("nodes.cooldown.appliesOther") },
  { value: "all_journeys", label: msgKey("nodes.cooldown.appliesAll") },
] as const;

/** The sends a cooldown holds, by its scope. */
const HELD: Record<CooldownSpec["scope"], string> = {
  all: msgKey("nodes.cooldown.held.all"),
  promotional: msgKey("nodes.cooldown.held.promotional"),
  transactional: msgKey("nodes.cooldown.held.transactional"),
  service: msgKey("nodes.cooldown.held.service"),
};

/**
 * Whom a cooldown holds back and for how long, in words: "Holds other journeys' promotional
 * sends for 7 days". The card and the form both say it, because a marketer reads "cooldown" as
 * a pause of other campaigns (issue 16); absent `applies` is the old all-journeys meaning.
 */
export function describeCooldown(c: CooldownSpec): string {
  const words = {
    what: i18n.t(HELD[c.scope]),
    duration: humanizeDuration(c.duration) ?? c.duration,
  };
  return cooldownApplies(c) === "other_journeys"
    ? i18n.t("nodes.cooldown.holdsOther", words)
    : i18n.t("nodes.cooldown.holdsAll", words);
}

export const cooldownUi: NodeUi<CooldownNode> = {
  get label() {
    return i18n.t("nodes.cooldown.label");
  },
  get hint() {
    return i18n.t("nodes.cooldown.hint");
  },
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
        label={i18n.t("nodes.cooldown.appliesLabel")}
        value={cooldownApplies(node.cooldown)}
        options={APPLIES_OPTIONS.map((o) => ({ value: o.value, label: i18n.t(o.label) }))}
        hint={i18n.t("nodes.cooldown.appliesHint")}
        onChange={(v) => onChange(v, null)}
      />
    );
  },
  Inspector: ({ node }) => (
    <p className="cooldown-summary" data-testid="cooldown-summary">
      {i18n.t("nodes.cooldown.sentence", { text: describeCooldown(node.cooldown) })}
    </p>
  ),
};
