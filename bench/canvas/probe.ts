/**
 * Runs in the page before any script: watches every frame for the nodes and the viewport. A
 * string, not a function: tsx compiles functions with helpers (`__name`) the page does not have.
 */
export const PROBE = (size: number) => `
(() => {
  const state = { nodes: null, transform: null, lastChange: 0 };
  window.__bench = state;
  const tick = () => {
    const now = performance.now();
    if (state.nodes === null) {
      const nodes = document.querySelectorAll(".react-flow__node");
      if (nodes.length >= ${size} && [...nodes].every((n) => n.style.visibility !== "hidden"))
        state.nodes = now;
    }
    const vp = document.querySelector(".react-flow__viewport");
    const t = vp ? vp.style.transform : null;
    if (t !== null && t !== state.transform) {
      state.transform = t;
      state.lastChange = now;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
`;

/** Done once all nodes are shown and the viewport has moved off its default and settled for 1 s. */
export const SETTLED = `(() => {
  const b = window.__bench;
  if (!b || b.nodes === null || b.transform === null) return null;
  if (b.transform === "translate(0px, 0px) scale(1)") return null;
  if (performance.now() - b.lastChange < 1000) return null;
  return { nodes: b.nodes, fit: Math.max(b.lastChange, b.nodes) };
})()`;
