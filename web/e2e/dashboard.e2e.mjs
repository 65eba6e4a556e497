// End-to-end test of the dashboard: drives the built page in headless
// Chromium against a running platform (the real API and database), as a
// user would, and saves screenshots of its pages.
//
//   BASE_URL=http://127.0.0.1:3000 node e2e/dashboard.e2e.mjs
//
// BASE_URL     the platform (required); its service registry must be empty
//              and its scheduler off (no detector or forecaster runs)
// SCREENSHOT   where to save the services page's screenshot (default
//              ../.local/e2e/dashboard.png); the other pages' go beside it
//              as dashboard-<page>.png
// CHROMIUM     the browser (default /usr/bin/chromium: Debian's package;
//              never a downloaded one)
//
// infra/e2e (go test ./infra/e2e/) starts a platform with a fresh database
// and runs this script. It exits non-zero, naming the step, on the first
// failure.

import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** @typedef {import('playwright-core').Locator} Locator */

const here = dirname(fileURLToPath(import.meta.url));
const baseURL = (process.env.BASE_URL ?? '').replace(/\/+$/, '');
const screenshot = resolve(process.env.SCREENSHOT ?? join(here, '..', '..', '.local', 'e2e', 'dashboard.png'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** How long one expectation may take to come true. */
const timeout = 15_000;

if (!baseURL) {
  console.error('BASE_URL is not set: point it at a running platform, e.g. BASE_URL=http://127.0.0.1:3000');
  process.exit(2);
}

/** step names what the test is doing, so a failure says where it was. */
let step = 'start';
/** @param {string} name */
function log(name) {
  step = name;
  console.log(`- ${name}`);
}

/**
 * eventually retries check (which throws on failure) until it passes or
 * timeout runs out, then throws its last error: pages update asynchronously.
 * @template T
 * @param {() => Promise<T>} check
 * @returns {Promise<T>}
 */
async function eventually(check) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * text is what a locator shows, whitespace collapsed.
 * @param {Locator} locator
 */
async function text(locator) {
  return ((await locator.innerText({ timeout })) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * seesText waits until locator shows want (a substring or a pattern).
 * @param {Locator} locator
 * @param {string | RegExp} want
 */
async function seesText(locator, want) {
  await eventually(async () => {
    const got = await text(locator);
    if (want instanceof RegExp) assert.match(got, want);
    else assert.ok(got.includes(want), `want ${JSON.stringify(want)} in ${JSON.stringify(got)}`);
  });
}

/**
 * apiError asks the API directly what it answers to a registration that
 * must fail, so the test can check that the page shows the API's words.
 * @param {object} body
 * @returns {Promise<{ code: string, message: string, field?: string }>}
 */
async function apiError(body) {
  const res = await fetch(`${baseURL}/api/v1/services`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.status >= 400, `POST ${JSON.stringify(body)} answered ${res.status}, want an error`);
  return (await res.json()).error;
}

/** The standard metrics a service page charts. */
const standardMetrics = ['request_rate', 'error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'cpu', 'memory'];

/**
 * pushDay sends a day of one-minute points of every standard metric of
 * service through POST /api/v1/metrics, with an obvious incident: for ten
 * minutes three hours before now, p95 latency is 3 s and 20% of requests
 * fail. The rest is a calm daily cycle, well within the health thresholds.
 * @param {string} service
 * @param {number} now epoch ms
 */
async function pushDay(service, now) {
  const end = Math.floor(now / 60_000) * 60;
  const spikeFrom = end - 3 * 3600;
  /** @param {number} t */
  const inSpike = (t) => t >= spikeFrom && t < spikeFrom + 600;
  /** @param {number} t a deterministic wobble in [-1, 1) */
  const noise = (t) => {
    const x = Math.sin(t * 12.9898) * 43758.5453;
    return 2 * (x - Math.floor(x)) - 1;
  };
  /** @type {Record<string, (t: number) => number>} */
  const shapes = {
    request_rate: (t) => 40 + 25 * Math.sin((2 * Math.PI * t) / 86_400) + 2 * noise(t),
    error_rate: (t) => (inSpike(t) ? 0.2 : 0.002 + 0.001 * noise(t)),
    latency_p50: (t) => (inSpike(t) ? 1.2 : 0.08 + 0.005 * noise(t)),
    latency_p95: (t) => (inSpike(t) ? 3 : 0.2 + 0.02 * noise(t)),
    latency_p99: (t) => (inSpike(t) ? 4.5 : 0.35 + 0.03 * noise(t)),
    cpu: (t) => 0.4 + 0.1 * Math.sin((2 * Math.PI * t) / 86_400) + 0.02 * noise(t),
    memory: (t) => 1.5 * 2 ** 30 + 50 * 2 ** 20 * noise(t),
  };
  const batch = standardMetrics.map((metric) => ({
    service,
    metric,
    points: Array.from({ length: 1440 }, (_, i) => {
      const t = end - (1439 - i) * 60;
      return [t, shapes[metric]?.(t) ?? 0];
    }),
  }));
  const res = await fetch(`${baseURL}/api/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch) });
  const body = await res.json();
  assert.ok(res.ok, `POST /api/v1/metrics answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * shot saves a screenshot of the page beside the main one, as
 * dashboard-<name>.png.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
async function shot(page, name) {
  const path = screenshot.replace(/\.png$/, '') + `-${name}.png`;
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

/**
 * metricPages pushes a day of metrics for checkout-api and checks the
 * pages that show them: the overview, the service page (grade and parts,
 * charts with legends, the range switch), and the anomalies and capacity
 * pages, which stay empty without the scheduler.
 * @param {import('playwright-core').Page} page
 */
async function metricPages(page) {
  const mainNav = page.getByRole('navigation', { name: 'Main' });

  log('push a day of metrics for checkout-api, with a latency and error spike three hours ago');
  const pushed = await pushDay('checkout-api', Date.now());
  assert.equal(pushed.points, standardMetrics.length * 1440);
  const health = await (await fetch(`${baseURL}/api/v1/services/checkout-api/health`)).json();
  assert.equal(health.status, 'healthy', `the pushed data is calm now: ${JSON.stringify(health)}`);

  log('the overview, reloaded, shows checkout-api with its health grade');
  await page.goto('/#/overview');
  await page.reload();
  const card = page.getByRole('list', { name: 'Services' }).getByRole('listitem').filter({ hasText: 'checkout-api' });
  await seesText(card, `${health.score} / 100 Healthy`);
  await card.getByLabel(`Grade ${health.grade}`).waitFor();
  await seesText(card, 'Every part is within its warn threshold.');
  await seesText(page.getByRole('main'), '1 service: 1 healthy.');
  await shot(page, 'overview');

  log('the service page shows the grade and the parts behind it');
  await card.getByRole('link', { name: 'checkout-api' }).click();
  await eventually(async () => assert.equal(new URL(page.url()).hash, '#/services/checkout-api'));
  await seesText(page.getByRole('heading', { level: 1 }), 'checkout-api');
  assert.equal(await page.title(), 'checkout-api · Opsight');
  const healthPanel = page.getByRole('region', { name: 'Health' });
  await seesText(healthPanel, `${health.score} / 100`);
  await healthPanel.getByLabel(`Grade ${health.grade}`).waitFor();
  for (const [name, title] of [
    ['error_rate', 'Error rate'],
    ['latency_p95', 'Latency p95'],
    ['cpu', 'CPU (of limit)'],
  ]) {
    const part = health.parts.find((/** @type {{ name: string }} */ p) => p.name === name);
    assert.ok(part, `the API reports the ${name} part`);
    await seesText(healthPanel.getByRole('row').filter({ hasText: name }), new RegExp(`^${title.replace(/[()]/g, '\\$&')} ${name} .* Within warn .* ${Math.round(part.score)} / 100$`));
  }

  log('five charts render, with legends naming every standard metric');
  const metrics = page.getByRole('region', { name: 'Metrics' });
  const charts = metrics.locator('figure.chart');
  await eventually(async () => assert.equal(await charts.count(), 5));
  for (const chart of await charts.all()) await chart.locator('canvas').first().waitFor();
  const legends = (await metrics.getByRole('list', { name: / legend$/ }).allInnerTexts()).join(' ');
  for (const m of standardMetrics) assert.ok(legends.includes(m), `want ${m} in the legends, got ${JSON.stringify(legends)}`);

  log("the health score's thresholds are marked on the charts of its parts");
  await seesText(metrics.getByRole('list', { name: 'Error rate legend' }), 'warn 1% · critical 5%');
  await seesText(metrics.getByRole('list', { name: 'Latency legend' }), 'warn 500 ms · critical 2 s');
  await seesText(metrics.getByRole('list', { name: 'CPU (of limit) legend' }), 'warn 70% · critical 95%');

  log('the charts say in words what they show, the spike included');
  const latency = metrics.getByRole('img', { name: /^Latency over the last 24 hours: / });
  await latency.waitFor();
  assert.match((await latency.getAttribute('aria-label')) ?? '', /latency_p95 latest \d+ ms, lowest \d+ ms, highest 3 s;/);

  log('without a stored forecast, one made on request continues the chart');
  const requests = metrics.locator('figure[data-chart="requests"]');
  await requests.getByRole('button', { name: 'Forecast request_rate' }).click();
  await seesText(requests.getByRole('list', { name: 'Request rate legend' }), 'forecast made now request_rate (80/95%)');
  await requests.locator('canvas').first().waitFor();

  log('the legend reads the values under the cursor, without redrawing the chart');
  const canvas = await requests.locator('canvas').first().elementHandle();
  const box = await requests.locator('.u-over').boundingBox();
  assert.ok(canvas && box, 'the chart has a canvas and a cursor area');
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await seesText(requests.locator('figcaption'), /^Request rate \d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await page.mouse.move(0, 0);
  await seesText(requests.locator('figcaption'), /^Request rate latest: /);
  assert.ok(await canvas.evaluate((el) => el.isConnected), 'the chart was not drawn anew while the cursor moved');

  log('the range switch reloads the charts for 6 hours');
  const ranges = metrics.getByRole('navigation', { name: 'Time range' });
  const sixHours = page.waitForRequest((req) => {
    const u = new URL(req.url());
    return u.pathname === '/api/v1/query' && Math.abs(Number(u.searchParams.get('to')) - Number(u.searchParams.get('from')) - 6 * 3600) < 1;
  });
  await ranges.getByRole('link', { name: '6h' }).click();
  await sixHours;
  await eventually(async () => assert.equal(new URL(page.url()).hash, '#/services/checkout-api?range=6h'));
  assert.equal(await ranges.getByRole('link', { name: '6h' }).getAttribute('aria-current'), 'true');
  await metrics.getByRole('img', { name: /^Request rate over the last 6 hours: request_rate latest / }).waitFor();
  for (const chart of await charts.all()) await chart.locator('canvas').first().waitFor();

  log('no anomaly episodes without the detector, said plainly');
  await seesText(page.getByRole('region', { name: 'Anomaly episodes in this range' }), 'No anomaly episodes in this range.');
  await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
  await shot(page, 'service');

  log('the anomalies page has an empty state, also when filtered');
  await mainNav.getByRole('link', { name: 'Anomalies' }).click();
  await seesText(page.getByRole('heading', { level: 1 }), 'Anomalies');
  const episodes = page.getByRole('region', { name: 'Latest episodes' });
  await seesText(episodes, 'No anomaly episodes yet.');
  await episodes.getByLabel('Service').selectOption('checkout-api');
  await eventually(async () => assert.equal(new URL(page.url()).hash, '#/anomalies?service=checkout-api'));
  await episodes.getByLabel('Severity').selectOption('high');
  await eventually(async () => assert.equal(new URL(page.url()).hash, '#/anomalies?service=checkout-api&severity=high'));
  await seesText(episodes, 'No episodes match these filters.');
  await episodes.getByRole('link', { name: 'Show all episodes' }).click();
  await seesText(episodes, 'No anomaly episodes yet.');
  await shot(page, 'anomalies');

  log('the capacity page has an empty state');
  await mainNav.getByRole('link', { name: 'Capacity' }).click();
  await seesText(page.getByRole('heading', { level: 1 }), 'Capacity');
  await seesText(page.getByRole('region', { name: 'Predicted breaches' }), 'No capacity breach is predicted.');
  await shot(page, 'capacity');
}

const userDataDir = await mkdtemp(join(tmpdir(), 'opsight-e2e-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
  viewport: { width: 1280, height: 900 },
  colorScheme: 'light',
  locale: 'en-GB',
  baseURL,
});

/** Problems the page reports on its own: console errors, CSP violations, foreign requests. */
/** @type {string[]} */
const problems = [];
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  page.on('console', (msg) => {
    // Chromium logs every 4xx answer; the test provokes 400 and 409 on purpose.
    if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 500) problems.push(`${res.status()} from ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    // The page aborts a request it no longer needs (a newer load replaced
    // it, or the user navigated away); that is the data hook doing its job.
    const reason = req.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.method()} ${req.url()}: ${reason}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(baseURL + '/') && !url.startsWith('data:')) problems.push(`request outside the platform: ${url}`);
  });

  log('open the dashboard: "/" leads to the overview, empty on a fresh platform');
  await page.goto('/');
  await eventually(async () => assert.match(new URL(page.url()).hash, /^#\/overview$/));
  await seesText(page.getByRole('heading', { level: 1 }), 'Overview');
  assert.equal(await page.title(), 'Overview · Opsight');
  await seesText(page.getByRole('main'), 'No services registered yet.');
  const mainNav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await mainNav.getByRole('link').allInnerTexts(), ['Overview', 'Anomalies', 'Capacity', 'Services']);

  log('the navigation leads to the services page');
  await mainNav.getByRole('link', { name: 'Services' }).click();
  await seesText(page.getByRole('heading', { level: 1 }), 'Services');
  assert.equal(await page.title(), 'Services · Opsight');
  assert.equal(await mainNav.getByRole('link', { name: 'Services' }).getAttribute('aria-current'), 'page');

  log('health shows ok with latencies for the database and storage');
  const health = page.getByRole('region', { name: 'Platform health' });
  await seesText(health, 'Operational');
  for (const name of ['Database', 'Storage']) {
    const check = health.getByRole('listitem').filter({ hasText: name });
    await seesText(check, new RegExp(`^${name} OK \\d+(\\.\\d)? m?s$`));
  }

  log('the registry is empty');
  const registry = page.getByRole('region', { name: 'Registry' });
  await seesText(registry, 'No services registered yet');

  const form = page.getByRole('form', { name: 'Register a service' });
  const nameInput = form.getByLabel('Name', { exact: true });
  /** @param {string | RegExp} label the field group holding the input so labelled */
  const fieldOf = (label) => form.locator('.field').filter({ has: page.getByLabel(label) });
  /** @param {string} name the registry row of the named service */
  const rowOf = (name) => registry.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

  log('register checkout-api through the form');
  await nameInput.fill('checkout-api');
  await form.getByLabel('Type').selectOption('api');
  await form.getByLabel('Owner team').fill('payments');
  await form.getByLabel('Labels').fill('env=prod\ntier = 1\n');
  await form.getByRole('button', { name: 'Register service' }).click();
  await seesText(registry.getByRole('status'), 'Registered checkout-api.');
  await seesText(rowOf('checkout-api'), 'checkout-api api payments Active env=prod tier=1 never Remove');
  assert.equal(await nameInput.inputValue(), '', 'the form is cleared after registering');

  log('register billing-worker, a worker in maintenance');
  await nameInput.fill('billing-worker');
  await form.getByLabel('Type').selectOption('worker');
  await form.getByLabel('Status').selectOption('maintenance');
  await form.getByRole('button', { name: 'Register service' }).click();
  await seesText(rowOf('billing-worker'), /billing-worker worker none Maintenance none never/);
  await seesText(registry, '2 services');

  log("an invalid name shows the API's message next to the name field");
  const invalid = await apiError({ name: 'Bad Name!' });
  assert.equal(invalid.field, 'name');
  await nameInput.fill('Bad Name!');
  await form.getByRole('button', { name: 'Register service' }).click();
  await seesText(fieldOf(/^Name$/), invalid.message);
  assert.equal(await nameInput.getAttribute('aria-invalid'), 'true');
  assert.ok(await nameInput.evaluate((el) => el === document.activeElement), 'focus moves to the field in error');
  const describedBy = (await nameInput.getAttribute('aria-describedby')) ?? '';
  const description = await page.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '), describedBy);
  assert.ok(description.includes(invalid.message), `the error is the field's description (aria-describedby), got ${JSON.stringify(description)}`);

  log('a label the API rejects is reported next to the labels field');
  const badLabel = await apiError({ name: 'label-check', labels: { '1env': 'x' } });
  await nameInput.fill('label-check');
  await form.getByLabel('Labels').fill('1env=x');
  await form.getByRole('button', { name: 'Register service' }).click();
  await seesText(fieldOf('Labels'), badLabel.message);
  await form.getByLabel('Labels').fill('');

  log('registering a duplicate shows the conflict next to the name field');
  await nameInput.fill('checkout-api');
  await form.getByRole('button', { name: 'Register service' }).click();
  await seesText(fieldOf(/^Name$/), 'a service named "checkout-api" already exists');
  await seesText(registry, '2 services');

  log('remove asks first: cancelling keeps the service');
  await registry.getByRole('button', { name: 'Remove billing-worker' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove billing-worker?' });
  await dialog.waitFor();
  assert.ok(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement), 'Cancel has focus first');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await rowOf('billing-worker').waitFor();

  log('Escape cancels too');
  await registry.getByRole('button', { name: 'Remove billing-worker' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await rowOf('billing-worker').waitFor();

  log('confirming removes billing-worker');
  await registry.getByRole('button', { name: 'Remove billing-worker' }).click();
  await dialog.getByRole('button', { name: 'Remove service' }).click();
  await seesText(registry.getByRole('status'), 'Removed billing-worker.');
  await rowOf('billing-worker').waitFor({ state: 'detached' });
  await seesText(registry, '1 service');

  log('filters narrow the list and live in the address');
  await registry.getByLabel('Type').selectOption('worker');
  await eventually(async () => assert.equal(new URL(page.url()).hash, '#/services?type=worker'));
  await seesText(registry, 'No services match these filters.');
  await registry.getByRole('link', { name: 'Show all services' }).click();
  await rowOf('checkout-api').waitFor();

  log('an unknown address shows "Page not found"');
  await page.goto('/#/nowhere');
  await seesText(page.getByRole('heading', { level: 1 }), 'Page not found');
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await seesText(page.getByRole('heading', { level: 1 }), 'Overview');

  await metricPages(page);

  log('back to the services page');
  await page.goto('/#/services');
  await rowOf('checkout-api').waitFor();

  log('after a reload the registry is as it was left');
  await page.reload();
  await seesText(page.getByRole('region', { name: 'Platform health' }), 'Operational');
  await seesText(rowOf('checkout-api'), 'checkout-api api payments Active env=prod tier=1');
  assert.equal(await rowOf('billing-worker').count(), 0, 'billing-worker stays removed');
  await seesText(page.getByRole('contentinfo'), /^Opsight \S+/);

  log('the page reported no problems of its own');
  assert.deepEqual(problems, []);

  log(`save a screenshot to ${screenshot}`);
  await mkdir(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('ok: dashboard end-to-end test passed');
} catch (err) {
  failed = true;
  console.error(`FAIL at step "${step}":\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (problems.length > 0) console.error(`the page also reported:\n  ${problems.join('\n  ')}`);
  // A picture of the failure helps more than the stack trace.
  const failShot = screenshot.replace(/\.png$/, '') + '-failure.png';
  try {
    await mkdir(dirname(failShot), { recursive: true });
    await context.pages()[0]?.screenshot({ path: failShot, fullPage: true });
    console.error(`screenshot of the failure: ${failShot}`);
  } catch {
    // the browser may be gone; the error above says why
  }
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
