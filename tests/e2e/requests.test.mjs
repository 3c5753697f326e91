// Requests end to end, in headless Chromium against a real server: a request
// recorded offline on one tablet is assigned and completed on another,
// called back and closed; a collective complaint reaches the office head's
// tablet at once; two tablets editing one request offline merge as
// docs/requests.md specifies (both edits kept, the later one stands, the
// conflict shown).

import assert from "node:assert/strict";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

async function tablets(t, count) {
  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const pages = [];
  const contexts = [];
  for (let n = 0; n < count; n += 1) {
    const context = await browser.newContext();
    contexts.push(context);
    pages.push(await context.newPage());
  }
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [n, page] of pages.entries()) {
      await page.screenshot({ path: e2e.artifactPath(`${t.name}-${n}.png`) }).catch(() => {});
    }
  });
  return { server, contexts, pages };
}

/** Records a request through the intake form; returns when its screen shows. */
async function recordRequest(page, { kind, unit, phone, description, households }) {
  await page.getByTestId("tab-requests").click().catch(() => {});
  await page.getByTestId("request-new").click();
  await page.getByTestId("request-kind").selectOption(kind);
  await page.getByTestId("request-unit").fill(unit);
  await page.getByTestId("request-phone").fill(phone);
  await page.getByTestId("request-description").fill(description);
  if (households) {
    await page.getByTestId("request-collective").check();
    await page.getByTestId("request-households").fill(String(households));
  }
  await page.getByTestId("request-save").click();
  await page.getByTestId("request-detail").waitFor();
}

/** Opens a request from the list by its description (waiting for it to arrive). */
async function openRequest(page, description) {
  await page.getByTestId("tab-requests").click().catch(() => {});
  const back = page.getByTestId("request-back");
  if (await back.count()) await back.click();
  await page.getByTestId("request-filter-all").click();
  const row = page.getByTestId("request-row").filter({ hasText: description });
  await row.waitFor({ timeout: e2e.SYNC_TIMEOUT });
  await row.click();
  await page.getByTestId("request-detail").waitFor();
}

/** Takes an action on the open request, filling the fields given. */
async function act(page, action, fields = {}) {
  await page.getByTestId(`request-action-${action}`).click();
  const form = page.getByTestId("request-action-form");
  await form.waitFor();
  // The assignee is picked from the staff directory (GET /api/staff): the
  // select replaces the typed fallback once the directory is on the tablet.
  if (fields.assignee) {
    await form.locator('select[data-testid="request-action-assignee"]').selectOption(fields.assignee);
  }
  if (fields.satisfaction) await page.getByTestId("request-action-satisfaction").selectOption(fields.satisfaction);
  if (fields.target) await page.getByTestId("request-action-target").selectOption(fields.target);
  if (fields.note) await page.getByTestId("request-action-text").fill(fields.note);
  await page.getByTestId("request-action-confirm").click();
  await form.waitFor({ state: "detached" });
}

/** The step the request screen puts first (its primary action), or null. */
const nextStep = async (page) => {
  const button = page.getByTestId("request-next-step").locator("[data-next=true]");
  if (!(await button.count())) return null;
  return (await button.getAttribute("data-testid")).slice("request-action-".length);
};

const stateOf = (page) => page.getByTestId("request-detail").getAttribute("data-state");

async function waitForState(page, state, message) {
  await e2e.waitFor(async () => (await stateOf(page)) === state, {
    timeout: e2e.SYNC_TIMEOUT,
    message: async () => `${message}: state ${state} (is ${await stateOf(page).catch(() => "?")})`,
  });
}

/** What residents call about in these tests. */
const LIFT_BUTTON = { kind: "repair_common", unit: "7栋1单元", phone: "13900001111", description: "E2E 7栋电梯按钮失灵" };
const FLOODED_GARAGE = { kind: "complaint", unit: "2栋", phone: "13900002222", description: "E2E 多户投诉：地下车库积水", households: 6 };

const history = (page) =>
  page.getByTestId("request-history-entry").evaluateAll((entries) =>
    entries.map((entry) => [entry.dataset.action, entry.dataset.superseded === "true"]),
  );

test("a request recorded offline is assigned and done on another tablet, called back and closed", async (t) => {
  const { server, contexts, pages } = await tablets(t, 2);
  const [a, b] = pages;
  await e2e.signIn(a, server.url, "service-a");
  await e2e.signIn(b, server.url, "service-a2");

  // Tablet A is offline when the resident calls.
  await contexts[0].setOffline(true);
  const { description } = LIFT_BUTTON;
  await recordRequest(a, LIFT_BUTTON);
  assert.equal(await stateOf(a), "received");
  assert.ok((await e2e.pending(a)) > 0, "kept on the tablet until the server has it");
  // A phone that is not one is refused with a message, and nothing is added.
  await a.getByTestId("request-back").click();
  await a.getByTestId("request-new").click();
  await a.getByTestId("request-description").fill("E2E bad phone");
  await a.getByTestId("request-phone").fill("call me");
  await a.getByTestId("request-save").click();
  await a.getByTestId("request-error").waitFor();
  assert.match(await a.getByTestId("request-error").textContent(), /电话/);
  await a.getByTestId("request-cancel").click();
  await contexts[0].setOffline(false);
  await e2e.waitForPending(a, 0, "the request reached the server");

  // Tablet B takes it: assigned to themselves, accepted, worked, done.
  // At each step the screen offers the expected next one first.
  await openRequest(b, description);
  assert.equal(await nextStep(b), "assign");
  await act(b, "assign", { assignee: "service-a2" });
  await waitForState(b, "assigned", "assigned on B");
  assert.equal(await nextStep(b), "accept");
  await act(b, "accept");
  assert.equal(await nextStep(b), "start");
  await act(b, "start");
  assert.equal(await nextStep(b), "done");
  await act(b, "done", { note: "已更换按钮面板" });
  await waitForState(b, "done", "done on B");
  await e2e.waitForPending(b, 0, "B's work reached the server");

  // The owner calls the resident back on A and closes it.
  await openRequest(a, description);
  await waitForState(a, "done", "B's work reached A");
  // Closing before the callback is not offered.
  assert.equal(await a.getByTestId("request-action-close").count(), 0);
  assert.equal(await nextStep(a), "callback");
  await act(a, "callback", { satisfaction: "satisfied", note: "住户表示满意" });
  await waitForState(a, "called_back", "called back");
  assert.equal(await nextStep(a), "close");
  await act(a, "close");
  await waitForState(a, "closed", "closed on A");
  await waitForState(b, "closed", "closed reached B");
  const entries = await history(b);
  assert.deepEqual(
    entries.map(([action]) => action),
    ["assign", "accept", "start", "done", "callback", "close"],
  );
  assert.ok(entries.every(([, superseded]) => !superseded));
});

test("the head reads every zone's requests in one list and a review that names the site and time", async (t) => {
  const { server, pages } = await tablets(t, 2);
  const [staff, head] = pages;
  await e2e.signIn(staff, server.url, "service-b");
  const description = "E2E B区 路灯不亮";
  await recordRequest(staff, { kind: "repair_common", unit: "B区 3栋", phone: "", description });
  await act(staff, "accept");
  await e2e.waitForPending(staff, 0, "zone B's request reached the server");
  // The history names people and times, never a device id.
  const entry = await staff.getByTestId("request-history-entry").first().innerText();
  assert.match(entry, /\d{2}:\d{2}/);
  assert.doesNotMatch(entry, /tablet-|\(demo\)/);

  await e2e.signIn(head, server.url, "head");
  await e2e.openTab(head, "requests");
  await head.getByTestId("request-zone").selectOption("");
  assert.equal(await head.getByTestId("request-new").isDisabled(), true, "a new request needs a zone");
  await head.getByTestId("request-row").filter({ hasText: description }).waitFor({ timeout: e2e.SYNC_TIMEOUT });
  // Zone A's demo requests may arrive after zone B's new one (the head's
  // first sync brings every zone's documents, work-order logs too).
  const zones = () => head.getByTestId("request-row").evaluateAll((rows) => [...new Set(rows.map((row) => row.dataset.zone))].sort());
  await e2e.waitFor(async () => JSON.stringify(await zones()) === JSON.stringify(["A", "B"]), {
    timeout: e2e.SYNC_TIMEOUT,
    message: "zone A's demo requests and zone B's new one",
  });
  const badge = head.getByTestId("request-row").filter({ hasText: description }).getByTestId("request-row-zone");
  assert.match(await badge.innerText(), /B/);

  await e2e.openTab(head, "review");
  const heading = await head.getByTestId("review-heading").innerText();
  assert.match(heading, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/, "the printout says when it was drawn");
  assert.ok(heading.trim().length > 17, "and for which site");
  await head.getByTestId("review-row").filter({ hasText: description }).waitFor();
});

test("a collective complaint reaches the office head's tablet at once", async (t) => {
  const { server, pages } = await tablets(t, 2);
  const [staff, head] = pages;
  await e2e.signIn(head, server.url, "head");
  await e2e.signIn(staff, server.url, "service-a");
  const { description } = FLOODED_GARAGE;
  await recordRequest(staff, FLOODED_GARAGE);
  const alert = head.getByTestId("collective-alert").filter({ hasText: description });
  await alert.waitFor({ timeout: e2e.SYNC_TIMEOUT });
  assert.match(await alert.textContent(), /6 户/);
  await alert.getByTestId("collective-ack").click();
  await alert.waitFor({ state: "detached", timeout: e2e.SYNC_TIMEOUT });
  // The acknowledgement is the report to the head, seen on the staff tablet.
  await e2e.waitFor(
    async () => (await history(staff)).some(([action]) => action === "report"),
    { timeout: e2e.SYNC_TIMEOUT, message: "the head's report reached the staff tablet" },
  );
  const head15 = staff.locator('[data-testid=request-deadline][data-kind=head]');
  await e2e.waitFor(async () => (await head15.first().getAttribute("data-status")) === "met", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the 15-minute deadline is met",
  });
});

test("two tablets editing one request offline keep both edits and show the conflict", async (t) => {
  const { server, contexts, pages } = await tablets(t, 2);
  const [a, b] = pages;
  await e2e.signIn(a, server.url, "service-a");
  await e2e.signIn(b, server.url, "service-a2");
  const description = "E2E 楼道墙皮脱落";
  await recordRequest(a, { kind: "repair_common", unit: "4栋2单元", phone: "", description });
  await act(a, "start");
  await e2e.waitForPending(a, 0, "the request reached the server");
  await openRequest(b, description);
  await waitForState(b, "in_progress", "B has the request");

  // Offline: A adds a note while B moves it to done.
  for (const context of contexts) await context.setOffline(true);
  await act(a, "note", { note: "住户下午不在家" });
  await act(b, "done", { note: "已修补墙面" });
  for (const context of contexts) await context.setOffline(false);
  for (const page of [a, b]) await e2e.waitForPending(page, 0, "both edits reached the server");
  for (const page of [a, b]) {
    await waitForState(page, "done", "both tablets agree");
    await e2e.waitFor(async () => (await history(page)).length === 3, {
      timeout: e2e.SYNC_TIMEOUT,
      message: "both edits in the history",
    });
    const actions = (await history(page)).map(([action]) => action);
    assert.deepEqual(actions.slice(1).sort(), ["done", "note"]);
  }

  // Offline again, both call the resident back: A hears "not satisfied",
  // B (later) "satisfied". The earlier callback stands; B's is superseded.
  for (const context of contexts) await context.setOffline(true);
  await act(a, "callback", { satisfaction: "not_satisfied", note: "仍有裂缝" });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await act(b, "callback", { satisfaction: "satisfied", note: "满意" });
  for (const context of contexts) await context.setOffline(false);
  for (const page of [a, b]) {
    await e2e.waitForPending(page, 0, "both callbacks reached the server");
    await waitForState(page, "in_progress", "the unsatisfied callback stands");
    const conflict = page.getByTestId("request-conflict");
    await conflict.first().waitFor({ timeout: e2e.SYNC_TIMEOUT });
    assert.equal(await conflict.first().getAttribute("data-field"), "state");
    const superseded = (await history(page)).filter(([, gone]) => gone);
    assert.deepEqual(superseded, [["callback", true]]);
  }
});

test("a repair handed to an outside vendor (Q) is followed up by its date, in the overdue list and the 15:30 review", async (t) => {
  const { server, pages } = await tablets(t, 1);
  const [staff] = pages;
  await e2e.signIn(staff, server.url, "service-b");
  const description = "E2E B区 5栋水表漏水";
  await recordRequest(staff, { kind: "repair_common", unit: "B区 5栋", phone: "", description });

  // Q without the vendor's reference: a clear message, nothing saved.
  const yesterday = new Date(Date.now() + e2e.SITE_OFFSET_MS - 86_400_000).toISOString().slice(0, 10);
  await staff.getByTestId("request-action-mark").click();
  await staff.getByTestId("request-action-handling").selectOption("q");
  await staff.getByTestId("request-action-party").fill("自来水公司");
  await staff.getByTestId("request-action-follow-up").fill(yesterday);
  await staff.getByTestId("request-action-confirm").click();
  assert.match(await staff.getByTestId("request-action-error").innerText(), /单号/);
  assert.equal(await staff.getByTestId("request-detail-follow-up").count(), 0, "nothing saved");

  await staff.getByTestId("request-action-reference").fill("ZLS-0118");
  await staff.getByTestId("request-action-confirm").click();
  await staff.getByTestId("request-action-form").waitFor({ state: "detached" });
  const followUp = await staff.getByTestId("request-detail-follow-up").innerText();
  assert.ok(followUp.includes("自来水公司") && followUp.includes("ZLS-0118") && followUp.includes(yesterday), followUp);

  // Its date has passed: overdue, in the list and in the daily review.
  await e2e.openTab(staff, "review");
  const row = staff.getByTestId("review-row").filter({ hasText: description });
  await row.waitFor();
  assert.equal(await row.getAttribute("data-overdue"), "true");
});
