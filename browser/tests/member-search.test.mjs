// The member list of the officer's commune and its search, which ignores diacritics: typing
// "thuy" finds both spellings of the name, Thủy and Thuỷ.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VI, count, fold, heading, launch, readTable, screenshot, signedInPage, submit } from '../lib/harness.mjs';

// The two spellings, written out so that no editor can fold them into one.
const THUY_1 = 'Th\u1EE7y'; // Thủy: the hook on the u
const THUY_2 = 'Thu\u1EF7'; // Thuỷ: the hook on the y

let browser;
let page;

before(async () => {
  browser = await launch();
  ({ page } = await signedInPage(browser, 'coso'));
});

after(async () => {
  await browser?.close();
});

/** The names in the list, and the summary line above it. */
async function listed() {
  const table = await readTable(page.getByRole('table'));
  assert.deepEqual(table.headers, ['Họ và tên', 'Ngày sinh', 'Đơn vị', 'Trạng thái']);
  const summary = (await page.getByRole('paragraph').filter({ hasText: /tổng số|khớp với/ }).innerText()).trim();
  return { rows: table.rows, names: table.rows.map((r) => r['Họ và tên']), summary };
}

async function search(text) {
  await page.getByLabel(VI.search, { exact: true }).fill(text);
  const response = await submit(page, page.getByRole('button', { name: VI.search, exact: true }));
  assert.equal(response.status(), 200);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/units/00004/members');
  assert.equal(url.searchParams.get('q'), text);
  assert.equal(await page.getByLabel(VI.search, { exact: true }).inputValue(), text, 'the search box keeps what was typed');
  return listed();
}

test('the member list of the commune opens from its dashboard', async () => {
  await submit(page, page.getByRole('link', { name: VI.membersTitle, exact: true }));
  assert.equal(new URL(page.url()).pathname, '/units/00004/members');
  assert.equal(await heading(page), VI.membersTitle);
  assert.ok(await page.getByRole('link', { name: VI.addMember, exact: true }).isVisible(), 'an officer may add members');
  const { rows, summary } = await listed();
  const m = summary.match(/^Trang 1, tổng số ([\d.]+) hội viên$/);
  assert.ok(m, `the summary says the page and the total: ${JSON.stringify(summary)}`);
  const total = count(m[1]);
  assert.equal(rows.length, Math.min(50, total), 'fifty members a page');
  assert.ok(total > 50, `the demo commune has more than a page of members (${total})`);
  assert.ok(await page.getByRole('link', { name: /Trang sau/ }).isVisible(), 'a link to the next page');
  for (const r of rows) {
    assert.match(r['Đơn vị'], /Khu phố|Phường Ba Đình/, `every member is in Ba Đình: ${JSON.stringify(r)}`);
  }
  await screenshot(page, 'members');
});

test('"thuy" finds members named Thủy and Thuỷ alike', async () => {
  const { names, summary } = await search('thuy');
  assert.equal(summary, `${names.length} hội viên khớp với "thuy"`);
  assert.ok(names.length > 0, 'some member matches');
  for (const name of names) {
    assert.ok(fold(name).includes('thuy'), `${name} matches "thuy" once diacritics are set aside`);
  }
  const spelled1 = names.filter((n) => n.includes(THUY_1));
  const spelled2 = names.filter((n) => n.includes(THUY_2));
  assert.ok(spelled1.length > 0, `a member whose name is spelled ${THUY_1}: ${names.join(', ')}`);
  assert.ok(spelled2.length > 0, `a member whose name is spelled ${THUY_2}: ${names.join(', ')}`);
  for (const link of await page.getByRole('table').getByRole('link').all()) {
    assert.match(await link.getAttribute('href'), /^\/members\/\d+$/, 'each name opens the member');
  }
  await screenshot(page, 'members-search-thuy');
});

test('typing either spelling, or capitals, finds the same members', async () => {
  const plain = (await search('thuy')).names;
  for (const text of [THUY_1, THUY_2, 'THUY']) {
    const found = await search(text);
    assert.deepEqual(found.names, plain, `"${text}" finds what "thuy" finds`);
    assert.equal(found.summary, `${plain.length} hội viên khớp với "${text}"`);
  }
});

test('a search that matches no one says so', async () => {
  const { names, summary } = await search('zzyzx');
  assert.deepEqual(names, []);
  assert.equal(summary, '0 hội viên khớp với "zzyzx"');
});
