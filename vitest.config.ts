import { defineConfig } from "vitest/config";

// One config for the whole suite. Database tests open their own PGlite (and, with
// TEST_DATABASE_URL, their own PostgreSQL database) per file, so files run in parallel safely.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
  },
});
