import { z } from "zod";
import { isUnstorable } from "../../engine/shared/text.ts";

/**
 * A string PostgreSQL can store and compare (no NUL, no lone surrogate: engine/shared/text.ts),
 * so a bad value is a 400 naming the field instead of a 500 from the query.
 */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !isUnstorable(s), "must not contain NUL characters or lone surrogates");
