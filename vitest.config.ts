import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/audit-key-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most suites wait on a database, a browser or a child process rather than compute: two files at
    // once even on two cores (vitest's default there is one, which made CI take 26 minutes).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default"],
  },
});
