#!/usr/bin/env node
/**
 * Drives the Kobatela web frontend (Next.js, run separately) against this service in headless
 * Debian Chromium, through the core flow: login, escrow with milestones, deposit, a PDF proof
 * uploaded and submitted by the provider, approved by support from the review queue, the payout
 * on the admin payment page, and the sender seeing the payment settle. One PNG per step goes to
 * docs/screenshots/NN-step-name.png.
 *
 * It assumes both are already running. It seeds its users through our HTTP API with the
 * bootstrap admin key, and plays the PSP for the settlement (a signed `payment.settled` webhook),
 * since only the PSP settles a payment. A step that does not reach its expected screen stops the
 * run with exit code 1 and a message naming the step; its screenshot then goes to the failure
 * folder (printed), not to docs/screenshots.
 *
 * Environment:
 *   KOBATELA_API_URL       our service (default http://localhost:8000)
 *   KOBATELA_WEB_URL       the frontend (default http://localhost:3001)
 *   KOBATELA_ADMIN_KEY     an admin API key (default: BOOTSTRAP_ADMIN_API_KEY)
 *   PSP_WEBHOOK_SECRET     the service's webhook secret, to settle the payout as the PSP would
 *   CHROMIUM_PATH          default /usr/bin/chromium
 *   SCREENSHOT_DIR         default docs/screenshots (under the repository)
 *   FAILURE_DIR            default $TMPDIR/kobatela-frontend-run
 *   STEP_TIMEOUT_MS        how long a step waits for its screen (default 30000)
 *   SETTLE_TIMEOUT_MS      how long the pages may take to show the settlement (default 90000)
 */
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const API = (env.KOBATELA_API_URL ?? 'http://localhost:8000').replace(/\/+$/, '');
const WEB = (env.KOBATELA_WEB_URL ?? 'http://localhost:3001').replace(/\/+$/, '');
const ADMIN_KEY = env.KOBATELA_ADMIN_KEY ?? env.BOOTSTRAP_ADMIN_API_KEY ?? '';
const WEBHOOK_SECRET = env.PSP_WEBHOOK_SECRET ?? '';
const CHROMIUM = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(repoRoot, env.SCREENSHOT_DIR ?? 'docs/screenshots');
const FAILURES = path.resolve(env.FAILURE_DIR ?? path.join(tmpdir(), 'kobatela-frontend-run'));
const TIMEOUT = Number(env.STEP_TIMEOUT_MS ?? 30_000);
const SETTLE_TIMEOUT = Number(env.SETTLE_TIMEOUT_MS ?? 90_000);

const run = Date.now().toString(36);
const ESCROW = { total: '100.00', currency: 'EUR' };
const MILESTONES = [
  { label: `Livraison ${run}`, amount: '60.00', proofKind: 'DOCUMENT' },
  { label: `Installation ${run}`, amount: '40.00', proofKind: '' },
];

/** What the steps learn and pass on. */
const state = {
  users: {},
  escrowId: null,
  proofId: null,
  paymentId: null,
};

class StepFailure extends Error {}

function fail(message) {
  throw new StepFailure(message);
}

// ---------------------------------------------------------------- our HTTP API (seeding, PSP)

async function api(method, pathname, body, headers = {}, { asAdmin = true } = {}) {
  let res;
  try {
    res = await fetch(`${API}${pathname}`, {
      method,
      headers: {
        ...(asAdmin ? { 'x-api-key': ADMIN_KEY } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch (err) {
    fail(`${method} ${pathname}: no answer from ${API} (${err.cause?.code ?? err.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported as text below
  }
  return { status: res.status, json, text };
}

function describe(res) {
  const e = res.json?.error;
  return e ? `${res.status} ${e.code}: ${e.message}` : `${res.status} ${res.text.slice(0, 300)}`;
}

async function apiExpect(method, pathname, status, body, headers, options) {
  const res = await api(method, pathname, body, headers, options);
  if (res.status !== status) {
    fail(`${method} ${pathname} answered ${describe(res)} (expected ${status})`);
  }
  return res.json;
}

/** A user through POST /users; `role` is sent only when not the default. */
async function seedUser(kind, role) {
  const username = `frontend-${kind}-${run}`;
  const email = `${kind}.${run}@example.com`;
  const user = await apiExpect('POST', '/users', 201, {
    username,
    email,
    ...(role ? { role } : {}),
  });
  if (role && user.role !== role) {
    fail(`POST /users answered role ${JSON.stringify(user.role)} for ${kind} (expected ${role})`);
  }
  state.users[kind] = { ...user, email };
  console.log(`  seeded ${kind}: ${email} (id ${user.id}, number ${user.number ?? '—'})`);
  return state.users[kind];
}

/** Settles a sent payout as the PSP does: a `payment.settled` webhook signed with the secret. */
async function settleAsPsp(payment) {
  if (!WEBHOOK_SECRET) fail('PSP_WEBHOOK_SECRET is not set: the driver cannot settle the payout');
  if (!payment.psp_ref) fail(`payment ${payment.id} has no psp_ref (status ${payment.status})`);
  const raw = JSON.stringify({
    event_id: `frontend-run-${run}-settle`,
    type: 'payment.settled',
    psp_ref: payment.psp_ref,
  });
  const timestamp = String(Math.trunc(Date.now() / 1000));
  const signature = createHmac('sha256', WEBHOOK_SECRET)
    .update(`${timestamp}.${raw}`)
    .digest('hex');
  const answer = await apiExpect(
    'POST',
    '/psp/webhook',
    200,
    raw,
    { 'x-psp-timestamp': timestamp, 'x-psp-signature': signature },
    { asAdmin: false },
  );
  if (answer?.outcome !== 'applied') {
    fail(`the settlement webhook was not applied: ${JSON.stringify(answer)}`);
  }
}

/** A one-page PDF written by hand, unique to this run (a file backs at most one proof). */
function deliveryNotePdf() {
  const line = `Bon de livraison ${run} - ${MILESTONES[0].label}`;
  const content = `BT /F1 18 Tf 72 700 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R ' +
      '/Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------- the browser

let browser;
const pages = {};
let current = { label: '00-preflight', page: null };

/** A browser context per person (each keeps its own token in localStorage). */
async function openPage(who, { portalMode } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'fr-FR',
  });
  if (portalMode) {
    // The frontend picks the sender or provider portal from this localStorage key at login.
    await context.addInitScript((mode) => {
      window.localStorage.setItem('kobatela_portal_mode', mode);
    }, portalMode);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', (dialog) => dialog.accept());
  page.on('response', (res) => {
    const req = res.request();
    if (!res.url().startsWith(API) || req.method() === 'OPTIONS') return;
    const u = new URL(res.url());
    console.log(`    [${who}] ${req.method()} ${u.pathname}${u.search} → ${res.status()}`);
  });
  page.on('requestfailed', (req) => {
    if (!req.url().startsWith(API)) return;
    const u = new URL(req.url());
    const why = req.failure()?.errorText ?? 'failed';
    console.log(`    [${who}] ${req.method()} ${u.pathname}${u.search} ✗ ${why} (CORS?)`);
  });
  page.on('pageerror', (err) => console.log(`    [${who}] page error: ${err.message}`));
  pages[who] = page;
  return page;
}

function apiPath(url) {
  if (!url.startsWith(API)) return null;
  return new URL(url).pathname;
}

/** `METHOD /path/{id}` for messages, from the RegExp a step expects. */
function callName(method, pathRe) {
  const p = pathRe.source
    .replace(/\[\^\/\]\+/g, '{id}')
    .replace(/\\\//g, '/')
    .replace(/^\^|\$$/g, '');
  return `${method} ${p}`;
}

/**
 * Runs `action` and waits for the page's call `method path` (a RegExp on the path); fails the
 * step unless it answers `status` (or when the browser blocks it, e.g. CORS). Returns the body.
 */
async function expectCall(page, method, pathRe, status, action) {
  const name = callName(method, pathRe);
  const matches = (req) => {
    const p = apiPath(req.url());
    return p !== null && req.method() === method && pathRe.test(p);
  };
  let onFailed;
  const blocked = new Promise((resolve) => {
    onFailed = (req) => {
      if (matches(req)) resolve(req.failure()?.errorText ?? 'failed');
    };
    page.on('requestfailed', onFailed);
  });
  const answered = page
    .waitForResponse((res) => matches(res.request()), { timeout: TIMEOUT })
    .catch(() => null);
  let outcome;
  try {
    await action();
    outcome = await Promise.race([
      answered.then((res) => ({ res })),
      blocked.then((error) => ({ error })),
    ]);
  } finally {
    page.off('requestfailed', onFailed);
  }
  if (outcome.error) {
    fail(
      `${name} was blocked by the browser (${outcome.error}); is CORS_ALLOW_ORIGINS=${WEB} set?`,
    );
  }
  const res = outcome.res;
  if (!res) fail(`the page never called ${name} within ${TIMEOUT} ms`);
  const text = await res.text().catch(() => '');
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // reported as text
  }
  if (res.status() !== status) {
    fail(`${name} answered ${describe({ status: res.status(), json, text })} (expected ${status})`);
  }
  return json;
}

/** Waits for visible text (string or RegExp), naming it when it does not show. */
async function see(page, text, { timeout = TIMEOUT, within, exact = false } = {}) {
  const scope = within ?? page;
  const loc = scope.getByText(text, { exact }).first();
  try {
    await loc.waitFor({ state: 'visible', timeout });
  } catch {
    const alerts = await page
      .locator('.bg-rose-50, .text-rose-600, .text-rose-700')
      .allInnerTexts()
      .catch(() => []);
    const shownAlerts = alerts.filter(Boolean).join(' | ');
    fail(
      `"${text}" did not appear within ${timeout} ms on ${page.url()}` +
        (shownAlerts ? `; the page shows: ${shownAlerts}` : ''),
    );
  }
  return loc;
}

async function atPath(page, pathname) {
  try {
    await page.waitForURL((u) => u.pathname === pathname, { timeout: TIMEOUT });
  } catch {
    fail(`expected to land on ${pathname}, still on ${page.url()}`);
  }
}

/** The input that follows a <label> with exactly this text (the frontend's labels have no `for`). */
function inputAfterLabel(scope, label, tag = 'input') {
  return scope.locator(`xpath=.//label[normalize-space()="${label}"]/following-sibling::${tag}[1]`);
}

async function shot(page, label) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${label}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  ✓ ${label} → ${path.relative(repoRoot, file)}`);
}

let stepNo = 0;
async function step(name, who, body) {
  stepNo += 1;
  const label = `${String(stepNo).padStart(2, '0')}-${name}`;
  console.log(`step ${label}`);
  current = { label, page: who ? pages[who] : null };
  await body(current.page);
  const page = who ? pages[who] : null;
  if (page) await shot(page, label);
}

async function login(page, who) {
  const user = state.users[who];
  await page.goto(`${WEB}/login`);
  await see(page, 'Connexion à votre compte');
  await page.getByPlaceholder('Entrez votre adresse e-mail').fill(user.email);
  const answer = await expectCall(page, 'POST', /^\/auth\/login$/, 200, () =>
    page.getByRole('button', { name: 'Se connecter' }).click(),
  );
  if (!answer?.token && !answer?.access_token) {
    fail(`POST /auth/login answered 200 without token/access_token: ${JSON.stringify(answer)}`);
  }
}

// ---------------------------------------------------------------- the flow

async function main() {
  if (!ADMIN_KEY) fail('set KOBATELA_ADMIN_KEY (or BOOTSTRAP_ADMIN_API_KEY) to an admin API key');
  const health = await api('GET', '/health');
  if (health.status !== 200) fail(`GET ${API}/health answered ${describe(health)}`);
  const web = await fetch(`${WEB}/login`).catch((err) => {
    fail(`the frontend does not answer at ${WEB} (${err.cause?.code ?? err.message})`);
  });
  if (!web.ok) fail(`GET ${WEB}/login answered ${web.status}`);
  await seedUser('sender');
  await seedUser('provider');

  browser = await chromium.launch({ executablePath: CHROMIUM });
  await openPage('sender');

  await step('login-page', 'sender', async (page) => {
    await page.goto(`${WEB}/login`);
    await see(page, 'Connexion à votre compte');
    await page.getByPlaceholder('Entrez votre adresse e-mail').waitFor();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
  });

  await step('sender-login', 'sender', async (page) => {
    await login(page, 'sender');
    await atPath(page, '/dashboard');
    await see(page, 'Tableau de bord unifié');
    await see(page, state.users.sender.email);
  });

  await step('sender-escrows', 'sender', async (page) => {
    await expectCall(page, 'GET', /^\/escrows$/, 200, () =>
      page.getByRole('link', { name: 'Mes escrows envoyés', exact: true }).click(),
    );
    await atPath(page, '/sender/escrows');
    await see(page, 'Envois sécurisés');
  });

  await step('escrow-create-form', 'sender', async (page) => {
    const providerNumber = state.users.provider.number;
    if (!Number.isInteger(providerNumber) || providerNumber <= 0) {
      fail(
        `POST /users answered no positive integer "number" for the provider (got ` +
          `${JSON.stringify(providerNumber)}); the create form needs it as provider_user_id`,
      );
    }
    await page.getByRole('button', { name: '+ Créer un escrow' }).click();
    await atPath(page, '/sender/escrows/create');
    await see(page, 'Création de l’escrow');
    await inputAfterLabel(page, 'Montant total').fill(ESCROW.total);
    await inputAfterLabel(page, 'Devise', 'select').selectOption(ESCROW.currency);
    const deadline = new Date(Date.now() + 14 * 24 * 3600 * 1000);
    const local = new Date(deadline.getTime() - deadline.getTimezoneOffset() * 60_000);
    await inputAfterLabel(page, 'Date limite').fill(local.toISOString().slice(0, 16));
    await page.getByLabel('Ajouter des milestones').check();
    for (const [i, m] of MILESTONES.entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Ajouter un milestone' }).click();
      const card = page.locator(
        `xpath=//p[normalize-space()="Milestone #${i + 1}"]/ancestor::div[contains(@class,"rounded-md")][1]`,
      );
      await card.waitFor();
      await inputAfterLabel(card, 'Libellé').fill(m.label);
      await inputAfterLabel(card, 'Montant').fill(m.amount);
      await inputAfterLabel(card, 'Devise').fill(ESCROW.currency);
      await inputAfterLabel(card, 'Type de preuve (optionnel)').fill(m.proofKind);
    }
    await page.getByLabel('Prestataire (utilisateur Kobatela)').check();
    await inputAfterLabel(page, 'Identifiant utilisateur prestataire').fill(String(providerNumber));
  });

  await step('escrow-created', 'sender', async (page) => {
    const milestonesCreated = page
      .waitForResponse(
        (res) =>
          res.request().method() === 'POST' &&
          /^\/escrows\/[^/]+\/milestones$/.test(apiPath(res.url()) ?? '') &&
          res.request().postData()?.includes(MILESTONES.at(-1).label),
        { timeout: TIMEOUT },
      )
      .catch(() => null);
    const escrow = await expectCall(page, 'POST', /^\/escrows$/, 201, () =>
      page.getByRole('button', { name: /Confirmer la création/ }).click(),
    );
    if (!escrow?.id) fail(`POST /escrows answered 201 without an id: ${JSON.stringify(escrow)}`);
    state.escrowId = String(escrow.id);
    console.log(`  escrow ${state.escrowId}`);
    const last = await milestonesCreated;
    if (!last) fail(`the page did not post milestone "${MILESTONES.at(-1).label}"`);
    if (last.status() !== 201) {
      fail(`POST /escrows/{id}/milestones answered ${last.status()}: ${await last.text()}`);
    }
    await see(page, 'Milestones créées');
    for (const m of MILESTONES) await see(page, m.label);
  });

  await step('funding-page', 'sender', async (page) => {
    await expectCall(page, 'GET', /^\/escrows\/[^/]+\/summary$/, 200, () =>
      page.goto(`${WEB}/sender/escrows/${state.escrowId}/funding`),
    );
    await see(page, 'Financement de l');
    await see(page, `Escrow #${state.escrowId}`);
    const fund = page.getByRole('button', { name: /Financer l.escrow/ });
    try {
      await fund.and(page.locator(':enabled')).waitFor({ timeout: TIMEOUT });
    } catch {
      fail('the "Financer l’escrow" button stays disabled: FUND_ESCROW is not allowed');
    }
  });

  await step('escrow-funded', 'sender', async (page) => {
    const answer = await expectCall(page, 'POST', /^\/escrows\/[^/]+\/deposit$/, 200, () =>
      page.getByRole('button', { name: /Financer l.escrow/ }).click(),
    );
    const status = answer?.deposit?.status;
    if (status && status !== 'CONFIRMED') fail(`the deposit is ${status}, not CONFIRMED`);
    await see(page, 'Le financement a bien été enregistré.');
    await see(page, 'Financé', { exact: true });
  });

  await openPage('provider', { portalMode: 'provider' });

  await step('provider-dashboard', 'provider', async (page) => {
    await login(page, 'provider');
    await atPath(page, '/provider/dashboard');
    await see(page, 'Boîte de réception prestataire');
  });

  await step('provider-inbox', 'provider', async (page) => {
    await expectCall(page, 'GET', /^\/provider\/inbox\/escrows$/, 200, () =>
      page.getByRole('link', { name: 'Voir tout' }).click(),
    );
    await atPath(page, '/provider/inbox');
    await page.getByRole('link', { name: state.escrowId }).waitFor();
  });

  await step('provider-escrow', 'provider', async (page) => {
    await page.getByRole('link', { name: state.escrowId }).click();
    await atPath(page, `/provider/escrows/${state.escrowId}`);
    await see(page, `Escrow ID: ${state.escrowId}`);
    await see(page, 'Financé', { exact: true });
    await page.getByRole('button', { name: 'PREUVES', exact: true }).click();
    try {
      await page.getByRole('button', { name: 'Ajouter une preuve' }).waitFor();
    } catch {
      fail('the proof form is not shown: SUBMIT_PROOF / UPLOAD_PROOF_FILE not allowed');
    }
  });

  await step('proof-uploaded', 'provider', async (page) => {
    await page.locator('input[type="file"]').setInputFiles({
      name: `bon-de-livraison-${run}.pdf`,
      mimeType: 'application/pdf',
      buffer: deliveryNotePdf(),
    });
    const type = inputAfterLabel(page, 'Type de preuve', 'select');
    if ((await type.inputValue()) !== 'DOCUMENT') await type.selectOption('DOCUMENT');
    await expectCall(page, 'POST', /^\/files\/proofs$/, 201, () =>
      page.getByRole('button', { name: 'Uploader le fichier' }).click(),
    );
    await see(page, 'Fichier prêt. Vous pouvez soumettre la preuve.');
  });

  await step('proof-submitted', 'provider', async (page) => {
    const proof = await expectCall(page, 'POST', /^\/proofs$/, 201, () =>
      page.getByRole('button', { name: 'Ajouter une preuve' }).click(),
    );
    state.proofId = String(proof?.id ?? proof?.proof_id ?? '');
    if (!state.proofId) fail(`POST /proofs answered 201 without id: ${JSON.stringify(proof)}`);
    if (proof.status !== 'PENDING') {
      fail(`the PDF proof is ${proof.status}, expected PENDING (documents go to review)`);
    }
    console.log(`  proof ${state.proofId}`);
    await see(page, 'Proof created successfully');
    const proofs = page.locator('table', {
      has: page.getByRole('columnheader', { name: 'Fichier' }),
    });
    await see(page, 'En attente', { within: proofs, exact: true });
  });

  current = { label: 'seed-support-user', page: null };
  await seedUser('support', 'support');
  await openPage('support');

  await step('review-queue', 'support', async (page) => {
    await login(page, 'support');
    await atPath(page, '/admin/proofs/review-queue');
    await see(page, 'Proof review queue');
    await page.locator('tr', { hasText: state.proofId }).waitFor();
  });

  await step('proof-approved', 'support', async (page) => {
    const row = page.locator('tr', { hasText: state.proofId });
    const decided = await expectCall(page, 'POST', /^\/proofs\/[^/]+\/decision$/, 200, () =>
      row.getByRole('button', { name: 'Approuver' }).click(),
    );
    if (decided?.status !== 'APPROVED') fail(`the proof is ${decided?.status}, not APPROVED`);
    await see(page, 'Proof updated successfully');
    await row.waitFor({ state: 'detached' }).catch(() => {
      fail('the approved proof is still listed in the (PENDING) review queue');
    });
  });

  await step('admin-payment', 'support', async (page) => {
    const milestones = await apiExpect('GET', `/escrows/${state.escrowId}/milestones`, 200);
    const first = (Array.isArray(milestones) ? milestones : (milestones?.items ?? [])).find(
      (m) => m.sequence_index === 1,
    );
    const payouts = await apiExpect(
      'GET',
      `/escrows/${state.escrowId}/payments?kind=payout&limit=50`,
      200,
    );
    const payout = (payouts?.items ?? []).find((p) => p.milestone_id === first?.id);
    if (!payout) fail(`no payout for milestone 1 after the approval: ${JSON.stringify(payouts)}`);
    state.paymentId = payout.id;
    console.log(`  payout ${payout.id} is ${payout.status}`);
    await expectCall(page, 'GET', /^\/admin\/payments$/, 200, () =>
      page.goto(`${WEB}/admin/payments/${payout.id}`),
    );
    await see(page, `Payment ${payout.id}`);
    const execute = page.getByRole('button', { name: 'Execute payout' });
    if (payout.status === 'PENDING') {
      await execute.and(page.locator(':enabled')).waitFor();
      await expectCall(page, 'POST', /^\/payments\/execute\/[^/]+$/, 200, () => execute.click());
    } else {
      console.log(`  (approval already sent it: "Execute payout" is offered only for PENDING)`);
    }
    await see(page, /^(Envoyé|Réglé)$/);
  });

  await step('payment-settled-admin', 'support', async (page) => {
    const payment = await apiExpect('GET', `/payments/${state.paymentId}`, 200);
    if (payment.status !== 'SETTLED') await settleAsPsp(payment);
    // The page polls GET /admin/payments every 5 s while the payment is SENT.
    await see(page, 'Réglé', { timeout: SETTLE_TIMEOUT, exact: true });
    await see(page, 'Ce paiement est terminé');
  });

  await step('sender-payment-settled', 'sender', async (page) => {
    await expectCall(page, 'GET', /^\/escrows\/[^/]+\/summary$/, 200, () =>
      page.goto(`${WEB}/sender/escrows/${state.escrowId}`),
    );
    await see(page, `Escrow ID: ${state.escrowId}`);
    await page.getByRole('button', { name: 'PAIEMENTS', exact: true }).click();
    await see(page, 'Réglé', { timeout: SETTLE_TIMEOUT, exact: true });
  });

  console.log(`all ${stepNo} steps passed; screenshots in ${path.relative(repoRoot, SHOTS)}/`);
}

async function reportFailure(err) {
  const { label, page } = current;
  const why = err instanceof StepFailure ? err.message : (err?.stack ?? String(err));
  console.error(`\nFAILED at step ${label}: ${why}`);
  if (page) {
    mkdirSync(FAILURES, { recursive: true });
    const file = path.join(FAILURES, `${label}.failed.png`);
    await page
      .screenshot({ path: file, fullPage: true })
      .then(() => console.error(`  screenshot of the failing screen: ${file}`))
      .catch(() => {});
  }
}

let code = 0;
try {
  await main();
} catch (err) {
  await reportFailure(err);
  code = 1;
} finally {
  await browser?.close().catch(() => {});
}
process.exit(code);
