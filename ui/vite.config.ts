import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The window loads the built files from ui/dist (tauri.conf.json: frontendDist).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2021" },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.ts"],
    // Each test file in a VM context of a worker thread rather than a forked process with
    // a fresh jsdom: 301 tests in 44 files took 79 s of CPU (66 s on 2 cores) that way,
    // 32 s (25 s) this way, and CI runs them beside the Rust build, which is CPU-bound.
    pool: "vmThreads",
  },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  // Tests may read the core's shared tables of cases (format.test.ts: sizes.json), so a
  // rule kept in both languages is checked against one list; only that folder, only then.
  server: process.env.VITEST
    ? { fs: { allow: [".", "../crates/booth-core/src/domain/testdata"] } }
    : undefined,
});
