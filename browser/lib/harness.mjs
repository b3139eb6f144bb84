// What every browser test needs: Debian's Chromium driven by playwright-core, a fresh
// context per test file, signing in with the demo accounts, full-page screenshots, and
// reading the figures and tables the app shows. The server and its demo database are set up
// by scripts/browser-test, which passes the address in SOHOI_BROWSER_URL.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.SOHOI_BROWSER_URL ?? '';
if (!BASE_URL) {
  throw new Error('SOHOI_BROWSER_URL is not set: run the browser tests with scripts/browser-test');
}

const here = fileURLToPath(new URL('.', import.meta.url));
export const ARTIFACTS = resolve(process.env.SOHOI_BROWSER_ARTIFACTS ?? join(here, '..', '..', 'target', 'browser-artifacts'));

export const PASSWORD = 'sohoi-demo';

/** Texts of the Vietnamese interface (crates/sohoi/locales/vi.ftl), in one place. */
export const VI = {
  signinTitle: 'Đăng nhập Sổ Hội',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  signin: 'Đăng nhập',
  signout: 'Đăng xuất',
  signinInvalid: 'Tên đăng nhập hoặc mật khẩu không đúng.',
  notFound: 'Không tìm thấy trang này.',
  forbidden: 'Bạn không có quyền thực hiện thao tác này',
  membersTitle: 'Danh sách hội viên',
  reportTitle: 'Báo cáo biến động hội viên',
  search: 'Tìm',
  addMember: 'Thêm hội viên',
  save: 'Lưu',
  transfer: 'Chuyển sinh hoạt',
  transferTo: 'Đến đơn vị (mã)',
  period: 'Kỳ báo cáo',
  audit: 'Nhật ký hệ thống',
  colMembers: 'Số hội viên',
  colNewThisYear: 'Kết nạp mới trong năm',
  total: 'Tổng cộng',
  balanced: '✓',
  remainder: 'Khác: hội viên sinh hoạt trực tiếp tại đơn vị và chuyển sinh hoạt giữa các đơn vị trực thuộc (số chuyển là số chênh lệch)',
  transferredAway: 'Đã chuyển sinh hoạt hội viên sang đơn vị ngoài phạm vi quản lý của bạn.',
};

/** Chromium from Debian; playwright-core downloads no browser of its own. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.SOHOI_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}

/** A fresh context (cookies, storage) on the app under test. */
export async function newContext(browser) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/**
 * Clicks a button that submits a form and waits for the page it leads to (after any
 * redirect). Returns that page's HTTP response.
 */
export async function submit(page, button) {
  const final = page.waitForResponse((r) => {
    const request = r.request();
    return request.isNavigationRequest() && request.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400);
  });
  const loaded = page.waitForEvent('load');
  await button.click();
  const [response] = await Promise.all([final, loaded]);
  return response;
}

/** Signs in through the form; returns the response of the page it lands on. */
export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/signin');
  await page.getByLabel(VI.username, { exact: true }).fill(username);
  await page.getByLabel(VI.password, { exact: true }).fill(password);
  return submit(page, page.getByRole('button', { name: VI.signin, exact: true }));
}

/** A new context of its own, signed in as `username`, with one page. */
export async function signedInPage(browser, username) {
  const context = await newContext(browser);
  const page = await context.newPage();
  const response = await signIn(page, username);
  assert.equal(response.status(), 200, `signing in as ${username}`);
  assert.match(new URL(page.url()).pathname, /^\/units\//, `${username} lands on her unit's page`);
  return { context, page };
}

/** Saves a full-page screenshot as target/browser-artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The page's main heading. */
export async function heading(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

/** A count as the app prints it ("19.166", Vietnamese thousands separator) as a number. */
export function count(text) {
  const t = text.trim();
  assert.match(t, /^\d{1,3}(\.\d{3})*$/, `a count, got ${JSON.stringify(text)}`);
  return Number(t.replaceAll('.', ''));
}

/** Lower case without diacritics (đ → d): how the app's search compares names. */
export function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replaceAll('đ', 'd').replaceAll('Đ', 'D').toLowerCase();
}

/**
 * A table as the person sees it: the texts of its column headers and one object per data row,
 * keyed by those headers.
 */
export async function readTable(table) {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  // A row's rendered text has its cells separated by tabs; one call reads the whole table.
  const texts = await table.getByRole('row').filter({ has: table.page().getByRole('cell') }).allInnerTexts();
  const rows = texts.map((text) => {
    const cells = text.split('\t').map((c) => c.trim());
    assert.equal(cells.length, headers.length, `a row of ${headers.length} cells: ${JSON.stringify(cells)}`);
    return Object.fromEntries(headers.map((h, i) => [h, cells[i]]));
  });
  return { headers, rows };
}

/** A figure of a unit's dashboard: the number shown above its label ("Số hội viên"). */
export async function figure(page, label) {
  const caption = page.getByRole('main').getByText(label, { exact: true }).and(page.locator('span'));
  return count(await caption.locator('xpath=preceding-sibling::strong').innerText());
}

/** A unit's dashboard: its heading, headline figures and its child units' member counts. */
export async function readDashboard(page, code) {
  const response = await page.goto(`/units/${code}`);
  assert.equal(response.status(), 200, `the dashboard of ${code}`);
  const children = await readTable(page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Mã', exact: true }) }));
  return {
    name: await heading(page),
    members: await figure(page, VI.colMembers),
    newThisYear: await figure(page, VI.colNewThisYear),
    children: Object.fromEntries(children.rows.map((r) => [r['Mã'], count(r[VI.colMembers])])),
  };
}

/** The report's count columns, in order, as the person reads them. */
export const REPORT_COUNTS = {
  opening: 'Đầu kỳ',
  new: 'Phát triển mới',
  in: 'Chuyển đến',
  out: 'Chuyển đi',
  left: 'Ra khỏi Hội',
  died: 'Từ trần',
  closing: 'Cuối kỳ',
};

/**
 * The movement report of a unit for the default period (the current year): the period it
 * shows, and one entry per row (child units, then the total) keyed by unit code, with the
 * counts as numbers and the balance column's text.
 */
export async function readReport(page, code) {
  const response = await page.goto(`/units/${code}/report`);
  assert.equal(response.status(), 200, `the report of ${code}`);
  assert.equal(await heading(page), VI.reportTitle);
  const period = await page.getByLabel(VI.period, { exact: true }).inputValue();
  const table = await readTable(page.getByRole('table'));
  for (const column of ['Mã', 'Tên', ...Object.values(REPORT_COUNTS), 'Cân đối']) {
    assert.ok(table.headers.includes(column), `the report has a column "${column}": ${JSON.stringify(table.headers)}`);
  }
  const rows = {};
  for (const r of table.rows) {
    const row = { name: r['Tên'], balance: r['Cân đối'] };
    for (const [key, header] of Object.entries(REPORT_COUNTS)) row[key] = count(r[header]);
    rows[r['Mã']] = row;
  }
  return { period, headers: table.headers, rows, total: rows[code] };
}

/** opening + new + in − out − left − died, which must equal closing. */
export function expectedClosing(row) {
  return row.opening + row.new + row.in - row.out - row.left - row.died;
}

/** Asserts that every row of a report balances, by the numbers and in its balance column. */
export function assertBalanced(report) {
  for (const [code, row] of Object.entries(report.rows)) {
    assert.equal(expectedClosing(row), row.closing, `row ${code} (${row.name}): opening + new + in − out − left − died = closing`);
    assert.equal(row.balance, VI.balanced, `row ${code} (${row.name}) shows it balances`);
  }
}

/** Field label → value of a member's record table. */
export async function readRecord(page) {
  const record = {};
  const table = page.getByRole('table').first();
  for (const row of await table.getByRole('row').all()) {
    const label = (await row.getByRole('rowheader').or(row.getByRole('columnheader')).first().innerText()).trim();
    record[label] = (await row.getByRole('cell').first().innerText()).trim();
  }
  return record;
}
