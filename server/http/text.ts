import { z } from "zod";

/**
 * A string PostgreSQL can store and compare: text columns and parameters refuse NUL (22021),
 * which would otherwise surface as a 500 from the query instead of a 400 naming the field.
 */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters");

export const hasNul = (s: string) => s.includes("\u0000");
