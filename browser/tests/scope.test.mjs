// Who sees what: a commune officer opening another commune's member or unit by typing its
// address gets "not found" (404), exactly as for a member or unit that does not exist; a
// branch viewer cannot see her commune nor change anything; only chairs read the audit log.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VI, heading, launch, readTable, screenshot, signedInPage } from '../lib/harness.mjs';

const OTHER = '00008'; // Phường Ngọc Hà: in Hà Nội, not in the officer's commune

let browser;
let officer; // coso, Phường Ba Đình
let chair; // tinh, Hà Nội
let otherMemberPath; // a member of the other commune, found by the chair

before(async () => {
  browser = await launch();
  ({ page: chair } = await signedInPage(browser, 'tinh'));
  ({ page: officer } = await signedInPage(browser, 'coso'));
});

after(async () => {
  await browser?.close();
});

/** Asserts that `page` at `path` is the not-found page. */
async function assertNotFound(page, path) {
  const response = await page.goto(path);
  assert.equal(response.status(), 404, `${path} answers 404`);
  assert.equal(await heading(page), VI.notFound, `${path} shows the not-found page`);
  assert.ok(await page.getByRole('link', { name: 'Sổ Hội', exact: true }).isVisible(), 'with a way back home');
  return (await page.getByRole('main').innerText()).trim();
}

test('the province chair can open a member of another commune', async () => {
  const response = await chair.goto(`/units/${OTHER}/members`);
  assert.equal(response.status(), 200);
  const link = chair.getByRole('table').getByRole('link').first();
  otherMemberPath = await link.getAttribute('href');
  assert.match(otherMemberPath, /^\/members\/\d+$/);
  const name = (await link.innerText()).trim();
  assert.equal((await chair.goto(otherMemberPath)).status(), 200);
  assert.equal(await heading(chair), name);
});

test('the officer of Ba Đình gets "not found" for that member, as for one that does not exist', async () => {
  assert.ok(otherMemberPath, 'a member of the other commune was found');
  const outOfScope = await assertNotFound(officer, otherMemberPath);
  await screenshot(officer, 'not-found');
  const missing = await assertNotFound(officer, '/members/999999999');
  assert.equal(outOfScope, missing, 'nothing tells a member out of reach from one that does not exist');
  // Acting on her is refused alike: the page has no form, but a request can still be sent,
  // with the officer's own session and CSRF token (the hidden field of her sign-out form).
  await officer.goto('/units/00004');
  const csrf = await officer.getByRole('banner').locator('input[name="csrf"]').inputValue();
  const id = otherMemberPath.split('/').pop();
  for (const [action, form] of [
    ['transfer', { csrf, version: '1', to: '00004', date: '01/01/2025' }],
    ['leave', { csrf, version: '1', date: '01/01/2025', note: '' }],
  ]) {
    const post = await officer.request.post(`/members/${id}/${action}`, { form, maxRedirects: 0 });
    assert.equal(post.status(), 404, `a ${action} sent by hand is answered "not found"`);
    assert.match(await post.text(), new RegExp(VI.notFound));
  }
});

test('the officer gets "not found" for the other commune’s pages', async () => {
  for (const path of [`/units/${OTHER}`, `/units/${OTHER}/members`, `/units/${OTHER}/members/new`, `/units/${OTHER}/report`]) {
    await assertNotFound(officer, path);
  }
  await assertNotFound(officer, '/units/99999');
  // Her own commune is open to her.
  assert.equal((await officer.goto('/units/00004')).status(), 200);
  assert.equal(await heading(officer), 'Phường Ba Đình');
});

test('a branch viewer sees her branch, not the commune above it, and cannot add or transfer', async () => {
  const { context, page } = await signedInPage(browser, 'chihoi');
  try {
    assert.equal(new URL(page.url()).pathname, '/units/00004-01');
    await assertNotFound(page, '/units/00004');
    await assertNotFound(page, '/units/00004/members');
    assert.equal((await page.goto('/units/00004-01/members')).status(), 200);
    assert.equal(await page.getByRole('link', { name: VI.addMember, exact: true }).count(), 0, 'no add button for a viewer');
    const first = page.getByRole('table').getByRole('link').first();
    assert.equal((await page.goto(await first.getAttribute('href'))).status(), 200);
    assert.equal(await page.getByRole('button', { name: VI.transfer, exact: true }).count(), 0, 'no transfer for a viewer');
    const form = await page.goto('/units/00004-01/members/new');
    assert.equal(form.status(), 403);
    assert.equal(await heading(page), VI.forbidden);
  } finally {
    await context.close();
  }
});

test('the audit log is for chairs: the officer is refused in Vietnamese', async () => {
  const response = await officer.goto('/audit');
  assert.equal(response.status(), 403);
  assert.equal(await heading(officer), VI.forbidden);

  assert.equal((await chair.goto('/audit')).status(), 200);
  assert.equal(await heading(chair), VI.audit);
  const { rows } = await readTable(chair.getByRole('table'));
  assert.ok(rows.length > 0, 'the chair reads entries');
  assert.ok(rows.some((r) => r['Thao tác'] === 'Tạo tài khoản' && r['Đối tượng'] === 'coso'), 'including the demo accounts’ creation');
});
