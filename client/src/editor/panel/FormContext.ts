import { createContext, useContext } from "react";
import type { DefaultContext } from "../schema/introspect.ts";

/** What schema-derived fields need from the journey: event names to suggest, send nodes. */
export type FormContextValue = DefaultContext & { eventListId: string };

export const FormContext = createContext<FormContextValue>({
  eventNames: [],
  sendNodeIds: [],
  defaultEvent: "",
  eventListId: "wm-event-names",
});

export const useFormContext = () => useContext(FormContext);
