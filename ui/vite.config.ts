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
  },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  // Tests may read the core's shared tables of cases (format.test.ts: sizes.json), so a
  // rule kept in both languages is checked against one list; only that folder, only then.
  server: process.env.VITEST
    ? { fs: { allow: [".", "../crates/booth-core/src/domain/testdata"] } }
    : undefined,
});
