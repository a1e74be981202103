import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The client is served by the Waymark server in production (client/dist) and by Vite with the
// API proxied to the server in development, so both use same-origin cookies.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: {
      "/api": "http://localhost:3000",
      "/v1": "http://localhost:3000",
      "/healthz": "http://localhost:3000",
      "/socket.io": { target: "http://localhost:3000", ws: true },
    },
  },
});
