// An officer's day in her commune (Phường Ba Đình, 00004): she reads the dashboard and the
// movement report, adds a member through the form (a mistake first), opens her page,
// transfers her to a branch of the commune and then to another commune; after each step the
// figures must have moved by exactly what happened, and every report row must balance.
// The province chair then finds the member in her new commune and both actions in the audit
// log. The steps share one member, so each runs only if the ones before it passed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VI,
  assertBalanced,
  heading,
  launch,
  readDashboard,
  readRecord,
  readReport,
  readTable,
  screenshot,
  signedInPage,
  submit,
} from '../lib/harness.mjs';

const COMMUNE = '00004'; // Phường Ba Đình, the officer's commune
const BRANCH = '00004-01'; // Chi hội Khu phố 1, a branch of it
const OTHER = '00008'; // Phường Ngọc Hà, another commune of Hà Nội
const PROVINCE = '01';

const NEW_MEMBER = {
  name: 'Trần Thị Kiểm Thử',
  birth: '15/03/1990',
  phone: '0912345678',
  address: 'Số 5 phố Đội Cấn',
  occupation: 'Công nhân',
};

let browser;
let page; // the officer, coso
let chair; // the province chair, tinh
let memberId;
let before0 = {}; // figures before anything is done
let afterAdd = {};
let outwardTransferOutcome; // what the officer saw right after the transfer to another commune

let failedStep = null;
/** A step of the story: skipped once an earlier step has failed. */
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
  ({ page } = await signedInPage(browser, 'coso'));
  ({ page: chair } = await signedInPage(browser, 'tinh'));
});

after(async () => {
  await browser?.close();
});

/** Child-unit counts with the row of the unit's own members (code '') changed by `by`; the
 * dashboard shows that row only when it is not zero. */
function withOwn(children, by) {
  const out = { ...children };
  out[''] = (out[''] ?? 0) + by;
  if (out[''] === 0) delete out[''];
  return out;
}

/** The same report with some counts of some rows changed by the given amounts. */
function shifted(report, changes) {
  const rows = structuredClone(report.rows);
  for (const [code, delta] of Object.entries(changes)) {
    // The row of members held by the unit itself (code ''), when it was not there before.
    rows[code] ??= { name: VI.remainder, balance: VI.balanced, opening: 0, new: 0, in: 0, out: 0, left: 0, died: 0, closing: 0 };
    for (const [key, by] of Object.entries(delta)) rows[code][key] += by;
  }
  return rows;
}

async function openMember(p = page) {
  const response = await p.goto(`/members/${memberId}`);
  assert.equal(response.status(), 200, `member ${memberId}`);
  return { record: await readRecord(p), history: (await readTable(p.getByRole('table').nth(1))).rows };
}

async function transferTo(code) {
  const button = page.getByRole('button', { name: VI.transfer, exact: true });
  const form = page.locator('form').filter({ has: button });
  await form.getByLabel(VI.transferTo, { exact: true }).fill(code);
  const date = form.getByLabel('Ngày hiệu lực', { exact: true });
  assert.match(await date.inputValue(), /^\d{2}\/\d{2}\/\d{4}$/, 'the date is filled in with today');
  return submit(page, button);
}

step('the dashboard and the movement report before any change', async () => {
  const dashboard = await readDashboard(page, COMMUNE);
  assert.equal(dashboard.name, 'Phường Ba Đình');
  assert.ok(dashboard.members > 0, 'the demo commune has members');
  assert.ok(BRANCH in dashboard.children, `${BRANCH} is listed among the commune's units`);
  await screenshot(page, 'dashboard');

  const report = await readReport(page, COMMUNE);
  assert.match(report.period, /^\d{4}$/, 'the report is for the current year by default');
  assert.equal(report.total.name, VI.total);
  assert.ok(BRANCH in report.rows, `the report has a row for ${BRANCH}`);
  assertBalanced(report);
  assert.equal(report.total.closing, dashboard.members, 'the report closes on the dashboard’s member count');
  await screenshot(page, 'report');

  before0 = {
    dashboard,
    report,
    other: await readReport(chair, OTHER),
    province: await readReport(chair, PROVINCE),
  };
  assert.equal(before0.other.period, report.period);
  assertBalanced(before0.other);
  assertBalanced(before0.province);
});

step('the add-member form refuses a wrong record in Vietnamese and keeps what was typed', async () => {
  await page.goto(`/units/${COMMUNE}/members`);
  await submit(page, page.getByRole('link', { name: VI.addMember, exact: true }));
  assert.equal(new URL(page.url()).pathname, `/units/${COMMUNE}/members/new`);
  assert.equal(await heading(page), VI.addMember);
  await screenshot(page, 'add-form');

  await page.getByLabel('Họ và tên', { exact: true }).fill(NEW_MEMBER.name);
  await page.getByLabel('Ngày sinh', { exact: true }).fill('31/02/1990'); // no such day
  await page.getByLabel('Số điện thoại', { exact: true }).fill('091234'); // too short
  await page.getByLabel('Địa chỉ', { exact: true }).fill(NEW_MEMBER.address);
  await page.getByRole('combobox', { name: 'Nghề nghiệp', exact: true }).selectOption({ label: NEW_MEMBER.occupation });
  const response = await submit(page, page.getByRole('button', { name: VI.save, exact: true }));

  assert.equal(response.status(), 422);
  assert.equal(new URL(page.url()).pathname, `/units/${COMMUNE}/members/new`, 'still on the form');
  const errors = (await page.getByRole('alert').getByRole('listitem').allInnerTexts()).map((e) => e.trim());
  assert.deepEqual(errors, [
    'Ngày sinh: không hợp lệ (nhập năm, tháng/năm hoặc ngày/tháng/năm, không ở tương lai)',
    'Số điện thoại: phải gồm 10 chữ số, bắt đầu bằng 0',
  ]);
  assert.equal(await page.getByLabel('Họ và tên', { exact: true }).inputValue(), NEW_MEMBER.name);
  assert.equal(await page.getByLabel('Ngày sinh', { exact: true }).inputValue(), '31/02/1990');
  assert.equal(await page.getByLabel('Số điện thoại', { exact: true }).inputValue(), '091234');
  assert.equal(await page.getByLabel('Địa chỉ', { exact: true }).inputValue(), NEW_MEMBER.address);
  const occupation = page.getByRole('combobox', { name: 'Nghề nghiệp', exact: true });
  assert.equal(await occupation.locator('option:checked').innerText(), NEW_MEMBER.occupation, 'the chosen occupation is kept');
  await screenshot(page, 'add-form-errors');
});

step('the corrected record is saved and her page shows it', async () => {
  await page.getByLabel('Ngày sinh', { exact: true }).fill(NEW_MEMBER.birth);
  await page.getByLabel('Số điện thoại', { exact: true }).fill(NEW_MEMBER.phone);
  const response = await submit(page, page.getByRole('button', { name: VI.save, exact: true }));

  assert.equal(response.status(), 200);
  assert.equal(await page.getByText('Có thể đã có hội viên này').count(), 0, 'no possible duplicate in the demo');
  const m = new URL(page.url()).pathname.match(/^\/members\/(\d+)$/);
  assert.ok(m, `her page opens after saving (at ${page.url()})`);
  memberId = Number(m[1]);
  assert.equal(await heading(page), NEW_MEMBER.name);
  const record = await readRecord(page);
  assert.equal(record['Trạng thái'], 'Đang sinh hoạt');
  assert.equal(record['Đơn vị'], `Phường Ba Đình (${COMMUNE})`);
  assert.equal(record['Ngày sinh'], NEW_MEMBER.birth);
  assert.equal(record['Số điện thoại'], NEW_MEMBER.phone);
  assert.equal(record['Địa chỉ'], NEW_MEMBER.address);
  assert.equal(record['Nghề nghiệp'], NEW_MEMBER.occupation);
  assert.match(record['Ngày vào Hội'], /^\d{2}\/\d{2}\/\d{4}$/, 'joined today');
  const history = (await readTable(page.getByRole('table').nth(1))).rows;
  assert.deepEqual(
    history.map((e) => [e['Sự kiện'], e['Đơn vị'], e['Ngày']]),
    [['Kết nạp', COMMUNE, record['Ngày vào Hội']]],
  );
  assert.match(history[0]['Người ghi'], /coso/);
  assert.ok(await page.getByRole('heading', { name: VI.transfer, exact: true }).isVisible(), 'the officer may transfer her');
  await screenshot(page, 'member');
});

step('the dashboard and the report count her: members +1, joined +1', async () => {
  const { dashboard, report } = before0;
  const d = await readDashboard(page, COMMUNE);
  assert.equal(d.members, dashboard.members + 1, 'members +1');
  assert.equal(d.newThisYear, dashboard.newThisYear + 1, 'new this year +1');
  // She was added at the commune itself, not in one of its branches: the row of the
  // commune's own members (no code) counts her, the branches are unchanged.
  assert.deepEqual(d.children, withOwn(dashboard.children, +1), 'the branches are unchanged; the commune’s own members +1');

  const r = await readReport(page, COMMUNE);
  assert.equal(r.period, report.period);
  assertBalanced(r);
  assert.deepEqual(r.rows, shifted(report, { [COMMUNE]: { new: 1, closing: 1 }, '': { new: 1, closing: 1 } }), 'the total and the commune’s own members: new +1, closing +1; nothing else moves');
  afterAdd = { dashboard: d, report: r };
});

step('a transfer to a branch of the same commune moves her there and is nothing for the commune', async () => {
  await openMember();
  const response = await transferTo(BRANCH);
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, `/members/${memberId}`, 'back on her page');
  assert.equal(await page.getByRole('alert').count(), 0, 'no error');
  const record = await readRecord(page);
  assert.equal(record['Đơn vị'], `Chi hội Khu phố 1 (${BRANCH})`);
  assert.equal(record['Trạng thái'], 'Đang sinh hoạt');
  const history = (await readTable(page.getByRole('table').nth(1))).rows;
  assert.deepEqual(
    history.map((e) => [e['Sự kiện'], e['Đơn vị']]),
    [
      ['Kết nạp', COMMUNE],
      ['Chuyển sinh hoạt đi', `${COMMUNE} ↔ ${BRANCH}`],
      ['Chuyển sinh hoạt đến', `${BRANCH} ↔ ${COMMUNE}`],
    ],
  );
  await screenshot(page, 'member-transferred-to-branch');

  const d = await readDashboard(page, COMMUNE);
  assert.equal(d.members, afterAdd.dashboard.members, 'the commune keeps its member count');
  assert.equal(d.newThisYear, afterAdd.dashboard.newThisYear);
  assert.deepEqual(
    d.children,
    withOwn({ ...afterAdd.dashboard.children, [BRANCH]: afterAdd.dashboard.children[BRANCH] + 1 }, -1),
    'the branch +1, the commune’s own members −1',
  );

  const r = await readReport(page, COMMUNE);
  assertBalanced(r);
  assert.deepEqual(
    r.rows,
    shifted(afterAdd.report, { [BRANCH]: { in: 1, closing: 1 }, '': { out: 1, closing: -1 } }),
    'the branch row: in +1, closing +1; the commune’s own members: out +1, closing −1; the total does not count a move inside it',
  );
});

step('a transfer to another commune takes her out of the officer’s commune', async () => {
  await openMember();
  const response = await transferTo(OTHER);
  outwardTransferOutcome = {
    status: response.status(),
    heading: await heading(page).catch(() => ''),
    url: page.url(),
    notice: await page.getByRole('status').textContent().catch(() => ''),
  };

  // Whatever the page after the transfer shows (see the todo test below), the figures tell.
  const d = await readDashboard(page, COMMUNE);
  const { dashboard } = before0;
  assert.equal(d.members, dashboard.members, 'members back to where they were: +1 −1');
  assert.equal(d.newThisYear, dashboard.newThisYear + 1, 'she still joined this year');
  assert.deepEqual(d.children, dashboard.children, 'the branch is back to its count');
  await screenshot(page, 'dashboard-after');

  const r = await readReport(page, COMMUNE);
  assertBalanced(r);
  assert.deepEqual(
    r.rows,
    shifted(before0.report, { [COMMUNE]: { new: 1, out: 1 }, [BRANCH]: { in: 1, out: 1 }, '': { new: 1, out: 1 } }),
    'since the start: total new +1 and out +1 (closing unchanged); the branch in +1 and out +1',
  );
  await screenshot(page, 'report-after');

  // The officer can no longer open her, nor find her in the commune's list.
  const closed = await page.goto(`/members/${memberId}`);
  assert.equal(closed.status(), 404);
  assert.equal(await heading(page), VI.notFound);
  await page.goto(`/units/${COMMUNE}/members?q=${encodeURIComponent('kiểm thử')}`);
  assert.equal((await readTable(page.getByRole('table'))).rows.length, 0, 'she is not in the commune’s list');
});

step('the province chair finds her in the other commune, counted there and once in the province', async () => {
  const { record, history } = await openMember(chair);
  assert.equal(await heading(chair), NEW_MEMBER.name);
  assert.equal(record['Đơn vị'], `Phường Ngọc Hà (${OTHER})`);
  assert.equal(record['Trạng thái'], 'Đang sinh hoạt');
  assert.deepEqual(
    history.map((e) => [e['Sự kiện'], e['Đơn vị']]),
    [
      ['Kết nạp', COMMUNE],
      ['Chuyển sinh hoạt đi', `${COMMUNE} ↔ ${BRANCH}`],
      ['Chuyển sinh hoạt đến', `${BRANCH} ↔ ${COMMUNE}`],
      ['Chuyển sinh hoạt đi', `${BRANCH} ↔ ${OTHER}`],
      ['Chuyển sinh hoạt đến', `${OTHER} ↔ ${BRANCH}`],
    ],
  );
  await screenshot(chair, 'member-as-chair');

  const other = await readReport(chair, OTHER);
  assertBalanced(other);
  assert.deepEqual(other.rows, shifted(before0.other, { [OTHER]: { in: 1, closing: 1 }, '': { in: 1, closing: 1 } }), 'the other commune and its own members: in +1, closing +1');

  const province = await readReport(chair, PROVINCE);
  assertBalanced(province);
  assert.deepEqual(
    province.rows,
    shifted(before0.province, {
      [PROVINCE]: { new: 1, closing: 1 },
      [COMMUNE]: { new: 1, out: 1 },
      [OTHER]: { in: 1, closing: 1 },
    }),
    'Hà Nội: new +1, closing +1, no transfer (both communes are in it); the communes’ rows as above',
  );
});

step('the audit log, read by the province chair, records the add and both transfers', async () => {
  const response = await chair.goto('/audit');
  assert.equal(response.status(), 200);
  assert.equal(await heading(chair), VI.audit);
  const { headers, rows } = await readTable(chair.getByRole('table'));
  assert.deepEqual(headers, ['Thời gian', 'Người thực hiện', 'Thao tác', 'Đơn vị', 'Đối tượng', 'Chi tiết', 'Địa chỉ IP']);
  const hers = rows.filter((r) => r['Đối tượng'] === String(memberId));
  // Newest first; the chair's own look at her record (with its sensitive fields) is logged too.
  assert.deepEqual(
    hers.map((r) => [r['Thao tác'], r['Đơn vị'], r['Người thực hiện']]),
    [
      ['Xem thông tin nhạy cảm', OTHER, 'tinh'],
      ['Chuyển sinh hoạt', BRANCH, 'coso'],
      ['Chuyển sinh hoạt', COMMUNE, 'coso'],
      ['Thêm hội viên', COMMUNE, 'coso'],
    ],
  );
  await screenshot(chair, 'audit');
});

test('after transferring a member to another commune the officer sees her work done, not "not found"', () => {
  assert.ok(outwardTransferOutcome, 'the transfer step ran');
  assert.equal(outwardTransferOutcome.status, 200, JSON.stringify(outwardTransferOutcome));
  assert.match(outwardTransferOutcome.url, new RegExp(`/units/${BRANCH}/members\\?moved=`), 'back on the list of the branch she was in');
  assert.equal(outwardTransferOutcome.notice, VI.transferredAway);
});
