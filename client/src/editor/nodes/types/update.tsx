import { isReservedName } from "../../../../../engine/format/primitives.ts";
import { attributeNameProblem, type UpdateNode } from "../../../../../engine/nodes/update.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { i18n, msgKey } from "../../../i18n/index.ts";
import { ISSUE_TEXT } from "../../issue-text.ts";
import { TextInput } from "../../panel/inputs.tsx";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

/** "winback_attempts +1", "tier = gold": the card says which attribute and how. */
function summary(node: UpdateNode): string {
  const u = node.update;
  const name = u.attribute || "…";
  switch (u.kind) {
    case "increment":
      return `${name} ${u.by < 0 ? "−" : "+"}${Math.abs(u.by)}`;
    case "set": {
      const v = u.value.length > 24 ? `${u.value.slice(0, 23)}…` : u.value;
      return `${name} = ${v === "" ? "…" : v}`;
    }
    default:
      return assertNever(u);
  }
}

/**
 * What the step will do, in words, under the form: a marketer should not have to know that a
 * missing counter starts at 0, or that a non-number is left alone.
 */
function explain(node: UpdateNode): string {
  const u = node.update;
  const name = u.attribute || i18n.t("nodes.update.theAttribute");
  switch (u.kind) {
    case "increment":
      return u.by < 0
        ? i18n.t("nodes.update.explainSubtract", { name, by: Math.abs(u.by) })
        : i18n.t("nodes.update.explainAdd", { name, by: u.by });
    case "set": {
      const as = u.as ?? "text";
      return as === "text"
        ? i18n.t("nodes.update.explainSet", { name })
        : i18n.t("nodes.update.explainSetAs", { name, as: i18n.t(AS[as]) });
    }
    default:
      return assertNever(u);
  }
}

/** How a set value is stored, as "Sets tier to the value as a number" says it. */
const AS: Record<"number" | "boolean", string> = {
  number: msgKey("nodes.update.as.number"),
  boolean: msgKey("nodes.update.as.boolean"),
};

export const updateUi: NodeUi<UpdateNode> = {
  get label() {
    return i18n.t("nodes.update.label");
  },
  get hint() {
    return i18n.t("nodes.update.hint");
  },
  color: "#7c3aed",
  // A pencil: the step writes to the profile.
  icon: { path: "M10.5 2.5l3 3L6 13H3v-3zM9 4l3 3" },
  idPrefix: "update",
  // No attribute yet: the draft saves, and validation asks for one (bad_attribute_name).
  create: (id, position) => ({
    id,
    type: "update",
    update: { kind: "set", attribute: "", value: "" },
    position,
  }),
  summary,
  component: OneOutNode,
  field(_node, path, value, onChange) {
    const text = typeof value === "string" ? value : "";
    if (path === "update.attribute") {
      return (
        <TextInput
          label={i18n.t("panel.field.attribute")}
          value={text}
          onChange={onChange}
          mergeKey="field:update.attribute"
          placeholder={i18n.t("nodes.update.attributePlaceholder")}
          hint={
            text === ""
              ? i18n.t("nodes.update.attributeHint")
              : attributeNameProblem(text) === null
                ? undefined
                : i18n.t(ISSUE_TEXT[isReservedName(text) ? "reserved_name" : "bad_attribute_name"])
          }
        />
      );
    }
    if (path === "update.value") {
      return (
        <TextInput
          label={i18n.t("panel.field.value")}
          value={text}
          onChange={onChange}
          mergeKey="field:update.value"
          placeholder={i18n.t("nodes.update.valuePlaceholder", { example: "{{ event.tier }}" })}
          hint={i18n.t("nodes.update.valueHint", {
            examples: "{{ event.tier }}, {{ user.firstName }}",
          })}
        />
      );
    }
    return undefined;
  },
  Inspector: ({ node }) => (
    <p className="update-summary" data-testid="update-summary">
      {explain(node)}
    </p>
  ),
};
