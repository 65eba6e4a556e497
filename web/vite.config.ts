import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The dashboard is a static site: everything it needs at run time is
// bundled into dist/ (no CDN, no external fonts or scripts). It is served
// from the web bucket behind CloudFront, which routes /api/ to the API on
// the same origin, so the app calls relative URLs and needs no CORS.
// The built page may load nothing from anywhere but its own origin; the
// browser enforces it, so a stray CDN link fails in the end-to-end test
// rather than in production. (CloudFront should send the same policy as a
// header, which can add frame-ancestors.) Only for builds: the dev server
// injects inline styles for hot reload.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function csp(): Plugin {
  return {
    name: 'opsight-csp',
    apply: 'build',
    // Right after <meta charset>: a policy in a <meta> governs only what
    // follows it, and the charset must stay first.
    transformIndexHtml(html) {
      const charset = '<meta charset="utf-8" />';
      if (!html.includes(charset)) throw new Error(`index.html must contain ${charset}`);
      const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}" />`;
      return html.replace(charset, `${charset}\n    ${meta}`);
    },
  };
}

export default defineConfig({
  plugins: [csp()],
  // Relative asset URLs keep the build working under any path prefix.
  base: './',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Browsers that run ES2022 all support <link rel=modulepreload>.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` serves the app with hot reload against a running
    // `opsight run` (make run), or the API named by OPSIGHT_API.
    proxy: { '/api': process.env['OPSIGHT_API'] ?? 'http://127.0.0.1:3000' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
