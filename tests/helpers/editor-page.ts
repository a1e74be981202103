import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { Journey } from "../../engine/index.ts";

/**
 * The journey editor as browser tests drive it: the inspector, a node on the canvas, selecting
 * one, waiting for autosave, and reading the stored draft. `current` is read on each call,
 * because tests open the page and start the server in `beforeAll`.
 */
export function editorPage(current: () => { page: Page; url: string }) {
  const inspector = () => current().page.getByRole("complementary", { name: "Inspector" });
  const node = (id: string) => current().page.getByTestId(`node-${id}`);
  return {
    inspector,
    node,
    async select(id: string) {
      await node(id).locator(".wm-node-title").click();
      await inspector().getByText(id, { exact: true }).waitFor();
    },
    async saved() {
      await expect
        .poll(() => current().page.getByTestId("save-state").textContent(), { timeout: 10_000 })
        .toBe("Saved");
    },
    async draft(id: string): Promise<Journey> {
      const { page, url } = current();
      const res = await page.request.get(`${url}/api/journeys/${id}`);
      return ((await res.json()) as { draft: Journey }).draft;
    },
  };
}
