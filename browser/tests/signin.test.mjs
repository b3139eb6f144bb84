// Signing in and out: the sign-in page, a wrong password's Vietnamese error, landing on one's
// own unit, and that signing out really ends the session.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VI, PASSWORD, heading, launch, newContext, screenshot, signIn, submit } from '../lib/harness.mjs';

let browser;
let context;
let page;

before(async () => {
  browser = await launch();
  context = await newContext(browser);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

test('a visitor is sent to the Vietnamese sign-in page', async () => {
  const response = await page.goto('/');
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/signin');
  assert.equal(await heading(page), VI.signinTitle);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.ok(await page.getByLabel(VI.username, { exact: true }).isVisible());
  assert.ok(await page.getByLabel(VI.password, { exact: true }).isVisible());
  assert.ok(await page.getByRole('button', { name: VI.signin, exact: true }).isVisible());
  await screenshot(page, 'signin');
});

test('a wrong password shows the Vietnamese error and keeps the username', async () => {
  const response = await signIn(page, 'coso', 'not-the-password');
  assert.equal(response.status(), 401);
  assert.equal(new URL(page.url()).pathname, '/signin');
  assert.equal((await page.getByRole('alert').innerText()).trim(), VI.signinInvalid);
  assert.equal(await page.getByLabel(VI.username, { exact: true }).inputValue(), 'coso');
  assert.equal(await page.getByLabel(VI.password, { exact: true }).inputValue(), '', 'the password is not sent back');
  await screenshot(page, 'signin-error');
});

test('the right password opens the officer’s own commune', async () => {
  // Straight after the failure, on the form it showed.
  await page.getByLabel(VI.password, { exact: true }).fill(PASSWORD);
  const response = await submit(page, page.getByRole('button', { name: VI.signin, exact: true }));
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/units/00004');
  assert.equal(await heading(page), 'Phường Ba Đình');
  const banner = page.getByRole('banner');
  assert.ok(await banner.getByText('Cán bộ cơ sở').isVisible(), 'the user bar names who is signed in');
  assert.ok(await banner.getByRole('button', { name: VI.signout, exact: true }).isVisible());
  assert.equal(await page.getByRole('alert').count(), 0);
});

test('signing out returns to the sign-in page and closes the session', async () => {
  const response = await submit(page, page.getByRole('button', { name: VI.signout, exact: true }));
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/signin');
  assert.equal(await heading(page), VI.signinTitle);
  // The pages of the commune are closed to this browser now.
  for (const path of ['/units/00004', '/units/00004/members', '/']) {
    await page.goto(path);
    assert.equal(new URL(page.url()).pathname, '/signin', `${path} after signing out`);
    assert.equal(await heading(page), VI.signinTitle);
  }
  const cookies = await context.cookies();
  assert.ok(!cookies.some((c) => c.name === 'sohoi_session'), 'no session cookie is left');
});

test('each demo account lands on its own unit', async () => {
  const expected = {
    trunguong: { path: '/units/TW', name: 'Trung ương Hội LHPN Việt Nam' },
    tinh: { path: '/units/01', name: 'Thành phố Hà Nội' },
    chihoi: { path: '/units/00004-01', name: 'Chi hội Khu phố 1' },
  };
  for (const [username, where] of Object.entries(expected)) {
    const own = await newContext(browser);
    try {
      const p = await own.newPage();
      const response = await signIn(p, username);
      assert.equal(response.status(), 200, username);
      assert.equal(new URL(p.url()).pathname, where.path, username);
      assert.equal(await heading(p), where.name, username);
    } finally {
      await own.close();
    }
  }
});
