// A half-year report as the Union works it: the commune officer (coso, Phường Ba Đình) opens
// her inbox on a phone, enters the report one section at a time (a mistake first, which the
// page names and keeps), and submits it; the province chair (tinh, Hà Nội) finds it waiting
// for review, returns it with a reason, and after the officer submits again, approves it.
// The steps share one report, so each runs only if the ones before it passed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { heading, launch, screenshot, signIn, signedInPage, submit, BASE_URL } from '../lib/harness.mjs';

const COMMUNE = '00004';
const PHONE = { width: 360, height: 740 };

let browser;
let phone; // the officer, on a 360-px phone
let chair; // the province chair, on a desktop
let reportUrl; // the commune's report in the second-half round

let failedStep = null;
function step(name, fn) {
  test(name, async (t) => {
    if (failedStep) {
      t.skip(`after "${failedStep}" failed`);
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failedStep = name;
      throw e;
    }
  });
}

before(async () => {
  browser = await launch();
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(15_000);
  phone = await context.newPage();
  const response = await signIn(phone, 'coso');
  assert.equal(response.status(), 200);
  ({ page: chair } = await signedInPage(browser, 'tinh'));
});

after(async () => {
  await browser?.close();
});

/** The page never scrolls sideways on a phone. */
async function fitsThePhone(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page is ${width}px wide on a ${PHONE.width}px phone`);
}

async function statusText(page) {
  return (await page.locator('.state .status').innerText()).trim();
}

step('the officer finds the open half-year report in her inbox', async () => {
  await phone.goto('/inbox');
  assert.equal(await heading(phone), 'Việc cần làm');
  // The first half closed without her report (locked); the second half is open.
  const items = phone.locator('.items li');
  const texts = await items.allInnerTexts();
  assert.ok(texts.some((t) => /H1/.test(t) && /đã khóa sổ/.test(t)), texts.join(' | '));
  const open = phone.locator('.items li a', { hasText: 'H2' }).first();
  await fitsThePhone(phone);
  await screenshot(phone, 'round-inbox-phone');
  await Promise.all([phone.waitForURL(/\/rounds\/\d+\/units\/00004/), open.click()]);
  reportUrl = new URL(phone.url()).pathname;
  assert.match(await heading(phone), /Phường Ba Đình/);
  assert.equal(await statusText(phone), 'Chưa bắt đầu');
});

step('the first section shows what the register knows, explained, and asks for the rest', async () => {
  // One section at a time on the phone: the first one is current.
  assert.match(await phone.locator('.sections a[aria-current=page]').innerText(), /^1\./);
  const members = phone.locator('.computed').filter({ has: phone.locator('span', { hasText: /^Tổng số hội viên$/ }) });
  assert.match(await members.innerText(), /\d/);
  assert.match(await members.innerText(), /theo sổ hội viên/);
  // Figures by ethnicity need a tier the officer does not hold.
  assert.match(await phone.locator('.computed').filter({ has: phone.locator('span', { hasText: /^Hội viên là người dân tộc thiểu số$/ }) }).innerText(), /không có quyền xem/);
  await fitsThePhone(phone);
  await screenshot(phone, 'round-entry-phone');
});

step('a wrong figure is refused, named and kept as typed; nothing is lost', async () => {
  await phone.getByLabel('Số hội viên nòng cốt').fill('mười hai');
  await phone.getByLabel('Số buổi sinh hoạt chi hội').fill('24');
  const response = await submit(phone, phone.getByRole('button', { name: 'Lưu', exact: true }));
  assert.equal(response.status(), 422);
  assert.match(await phone.getByRole('alert').innerText(), /Số hội viên nòng cốt.*số nguyên/);
  assert.equal(await phone.getByLabel('Số hội viên nòng cốt').inputValue(), 'mười hai');
  assert.equal(await phone.getByLabel('Số buổi sinh hoạt chi hội').inputValue(), '24');
});

step('saving section by section moves her on, and each part keeps what she typed', async () => {
  await phone.getByLabel('Số hội viên nòng cốt').fill('12');
  await submit(phone, phone.getByRole('button', { name: 'Lưu và sang phần tiếp' }));
  assert.match(await phone.locator('.notice[role=status]').innerText(), /Đã lưu/);
  assert.match(await phone.locator('.sections a[aria-current=page]').innerText(), /^2\./);
  await phone.getByLabel('Số câu lạc bộ đang hoạt động').fill('5');
  await submit(phone, phone.getByRole('button', { name: 'Lưu', exact: true }));
  assert.equal(await statusText(phone), 'Đang nhập');
  await phone.goto(`${reportUrl}?section=1`);
  assert.equal(await phone.getByLabel('Số hội viên nòng cốt').inputValue(), '12');
  await phone.goto(`${reportUrl}?section=narrative`);
  await phone.getByLabel('Đánh giá chung tình hình').fill('Hội viên tích cực tham gia các phong trào.');
  await submit(phone, phone.getByRole('button', { name: 'Lưu', exact: true }));
});

step('she submits it to the province', async () => {
  await submit(phone, phone.getByRole('button', { name: 'Gửi lên cấp trên' }));
  assert.match(await phone.locator('.notice[role=status]').innerText(), /Đã gửi/);
  assert.match(await statusText(phone), /^Đã gửi/);
  // Submitted: no entry form any more, the figures are read-only.
  assert.equal(await phone.getByLabel('Số hội viên nòng cốt').count(), 0);
  await fitsThePhone(phone);
  await screenshot(phone, 'round-submitted-phone');
});

step('the province chair finds it waiting and returns it with a reason', async () => {
  await chair.goto('/inbox');
  const waiting = chair.locator('.items li a', { hasText: 'Phường Ba Đình' });
  assert.ok((await waiting.count()) >= 1, 'Ba Đình waits for review');
  const round = reportUrl.split('/')[2];
  await chair.goto(`/rounds/${round}/units/01/review?all=1`);
  assert.match(await heading(chair), /Hà Nội/);
  const item = chair.locator('.children-decisions li', { hasText: '(00004)' });
  await screenshot(chair, 'round-review');
  // A return needs a reason: the browser will not send the form without it.
  await item.getByPlaceholder('Lý do').fill('Đề nghị bổ sung số liệu vốn vay');
  await submit(chair, item.getByRole('button', { name: 'Trả lại' }));
  assert.equal(await statusText(chair), 'Bị trả lại');
});

step('the officer sees why, adds the figure and submits again; the chair approves', async () => {
  await phone.goto(reportUrl);
  assert.match(await phone.locator('.notice').first().innerText(), /bổ sung số liệu vốn vay/);
  await phone.goto(`${reportUrl}?section=3`);
  await phone.getByLabel('Dư nợ ủy thác qua Ngân hàng Chính sách xã hội (đồng)').fill('2.500.000.000');
  await submit(phone, phone.getByRole('button', { name: 'Lưu', exact: true }));
  await submit(phone, phone.getByRole('button', { name: 'Gửi lên cấp trên' }));
  assert.match(await statusText(phone), /^Đã gửi/);
  await chair.goto(reportUrl);
  await submit(chair, chair.getByRole('button', { name: 'Duyệt' }));
  assert.match(await statusText(chair), /^Đã duyệt/);
  // The history says who did what.
  await chair.locator('details.history summary').click();
  const history = await chair.locator('details.history').innerText();
  for (const what of ['user:coso', 'user:tinh', 'trả lại', 'duyệt', 'Dư nợ ủy thác']) {
    assert.ok(history.includes(what), `${what} in the history`);
  }
  await phone.goto(reportUrl);
  assert.match(await statusText(phone), /^Đã duyệt/);
  await screenshot(phone, 'round-approved-phone');
});
