import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";

/** Where an element is drawn on the page, in CSS pixels. */
export type Box = { x: number; y: number; width: number; height: number };

export const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Waits until the canvas keeps its size: the issues strip below it grows and shrinks as the
 * debounced validation catches up with dropped steps, and a fit made before that is off-centre
 * by the strip's change (seen in CI under load: 49 px). Three equal reads 250 ms apart.
 */
export async function settledCanvas(page: Page): Promise<void> {
  let last = "";
  let same = 0;
  for (let i = 0; i < 40 && same < 3; i++) {
    const b = await page.locator(".react-flow").boundingBox();
    const now = JSON.stringify(b);
    same = now === last ? same + 1 : 0;
    last = now;
    await page.waitForTimeout(250);
  }
}

/** The boxes of every element `l` matches that is drawn. */
export async function boxes(l: Locator): Promise<Box[]> {
  const out: Box[] = [];
  for (const el of await l.all()) {
    const b = await el.boundingBox();
    if (b) out.push(b);
  }
  return out;
}

/** Every card in view and the journey centred on the canvas: the view is fitted to the layout. */
export async function expectFittedOn(page: Page, count: number): Promise<void> {
  const canvas = await page.locator(".react-flow").boundingBox();
  if (!canvas) throw new Error("no canvas");
  // Every card in view, and the laid-out journey centred: the fit is of the new layout, not
  // of where the nodes were before it.
  const cards = await boxes(page.locator(".react-flow__node"));
  expect(cards).toHaveLength(count);
  for (const b of cards) {
    const where = `card ${JSON.stringify(b)} in canvas ${JSON.stringify(canvas)}`;
    expect(b.x >= canvas.x && b.x + b.width <= canvas.x + canvas.width, where).toBe(true);
    expect(b.y >= canvas.y && b.y + b.height <= canvas.y + canvas.height, where).toBe(true);
  }
  const left = Math.min(...cards.map((b) => b.x));
  const right = Math.max(...cards.map((b) => b.x + b.width));
  const top = Math.min(...cards.map((b) => b.y));
  const bottom = Math.max(...cards.map((b) => b.y + b.height));
  expect(Math.abs((left + right) / 2 - (canvas.x + canvas.width / 2))).toBeLessThan(4);
  expect(Math.abs((top + bottom) / 2 - (canvas.y + canvas.height / 2))).toBeLessThan(4);
}
