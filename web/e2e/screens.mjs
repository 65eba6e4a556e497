// Screenshots of every page of a running platform, to look at by eye
// (the demo's data shows what an operator sees):
//
//   BASE_URL=http://127.0.0.1:3000 node e2e/screens.mjs [OUT_DIR]
//
// Saves one full-page PNG per page to OUT_DIR (default ../.local/screens)
// and prints anything the pages reported (console errors, failed requests).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const baseURL = (process.env.BASE_URL ?? '').replace(/\/+$/, '');
const out = resolve(process.argv[2] ?? join(here, '..', '..', '.local', 'screens'));
const colorScheme = process.env.COLOR_SCHEME === 'dark' ? 'dark' : 'light';
if (!baseURL) {
  console.error('BASE_URL is not set: point it at a running platform, e.g. BASE_URL=http://127.0.0.1:3000');
  process.exit(2);
}

const services = await (await fetch(`${baseURL}/api/v1/services?limit=1000`)).json();
const first = services.services?.[0]?.name;
/** @type {[string, string][]} name and hash of each page */
const pages = [
  ['overview', '#/overview'],
  ['anomalies', '#/anomalies'],
  ['capacity', '#/capacity'],
  ['services', '#/services'],
];
for (const s of services.services ?? []) pages.push([`service-${s.name}`, `#/services/${encodeURIComponent(s.name)}`]);
if (first) pages.push([`service-${first}-7d`, `#/services/${encodeURIComponent(first)}?range=7d`], [`service-${first}-1h`, `#/services/${encodeURIComponent(first)}?range=1h`]);

const userDataDir = await mkdtemp(join(tmpdir(), 'opsight-screens-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1280, height: 900 },
  colorScheme,
  locale: 'en-GB',
  baseURL,
});
try {
  await mkdir(out, { recursive: true });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => msg.type() === 'error' && console.log(`  console: ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`  uncaught: ${err.message}`));
  for (const [name, hash] of pages) {
    await page.goto('/' + hash);
    // Settled: nothing is loading and every chart that has data is drawn.
    await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null, null, { timeout: 30_000 });
    await page.waitForTimeout(300);
    const file = join(out, `${name}${colorScheme === 'dark' ? '-dark' : ''}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
  }
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
