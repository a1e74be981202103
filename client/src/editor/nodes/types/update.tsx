import { attributeNameProblem, type UpdateNode } from "../../../../../engine/nodes/update.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
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
  const name = u.attribute || "the attribute";
  switch (u.kind) {
    case "increment": {
      const verb = u.by < 0 ? `Subtracts ${Math.abs(u.by)} from` : `Adds ${u.by} to`;
      return `${verb} ${name}; a contact without it starts from 0, one whose ${name} is not a number is left as it is. Later steps and other journeys see the new value.`;
    }
    case "set": {
      const as = u.as ?? "text";
      return `Sets ${name} to the value${as === "text" ? "" : ` as a ${as}`}, rendered for each contact. Later steps and other journeys see the new value.`;
    }
    default:
      return assertNever(u);
  }
}

export const updateUi: NodeUi<UpdateNode> = {
  label: "Update contact",
  hint: "Set an attribute, or count with one",
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
          label="Attribute"
          value={text}
          onChange={onChange}
          mergeKey="field:update.attribute"
          placeholder="e.g. winback_attempts"
          hint={
            text === ""
              ? "The profile attribute to write: letters, digits, _ and -."
              : (attributeNameProblem(text) ?? undefined)
          }
        />
      );
    }
    if (path === "update.value") {
      return (
        <TextInput
          label="Value"
          value={text}
          onChange={onChange}
          mergeKey="field:update.value"
          placeholder="e.g. gold, or {{ event.tier }}"
          hint="Text, or Liquid like a message: {{ event.tier }}, {{ user.firstName }}."
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
