import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The browser UI, built into dist/web and served by Berth itself
 * (src/http/web-ui.ts). Hashed names under assets/ are what lets the
 * server cache them for a year.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // No inline <script>/<style>: the CSP allows only files from 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // The chunk graph, read by test/web/performance.test.ts to size the editor route.
    manifest: true,
  },
});
