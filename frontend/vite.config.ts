/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Django serves dist/index.html for every SPA route and the built assets
// from /static/, so every asset URL must start with /static/assets/.
// Second entry: dist/graphiql.html, GraphiQL bundled with its editor and workers (no CDN),
// served by Django at GET /graphql/ to signed-in MSP staff (core/graphql/graphiql.py).
export default defineConfig({
  base: '/static/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    manifest: false,
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('./graphiql.html', import.meta.url)),
      },
      onwarn(warning, defaultHandler) {
        // GraphiQL's packages start modules with React Compiler's "use no memo" directive,
        // which bundling drops harmlessly; anything else is still reported.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.includes('/node_modules/')) return;
        defaultHandler(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: 'http://localhost:8000', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    restoreMocks: true,
    // A busy 2-core machine (several suites at once; load average 18 was seen) can be ten times
    // slower than a quiet one. Tests wait for what they need (findBy/waitFor, fake timers), never for time to pass,
    // so a generous ceiling only slows down a failing test, never a passing one.
    testTimeout: 30_000,
  },
});
