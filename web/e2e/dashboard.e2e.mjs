// End-to-end test of the dashboard: drives the built page in headless
// Chromium against a running platform (the real API and database), as a
// user would, and saves a screenshot.
//
//   BASE_URL=http://127.0.0.1:3000 node e2e/dashboard.e2e.mjs
//
// BASE_URL     the platform (required); its service registry must be empty
// SCREENSHOT   where to save the screenshot (default ../.local/e2e/dashboard.png)
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
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(baseURL + '/') && !url.startsWith('data:')) problems.push(`request outside the platform: ${url}`);
  });

  log('open the dashboard: "/" leads to the services page');
  await page.goto('/');
  await eventually(async () => assert.match(new URL(page.url()).hash, /^#\/services$/));
  await seesText(page.getByRole('heading', { level: 1 }), 'Services');
  assert.equal(await page.title(), 'Services · Opsight');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).getAttribute('aria-current'), 'page');

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
  await page.getByRole('link', { name: 'Go to the services page' }).click();
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
