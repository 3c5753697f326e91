// The duty log (issue #17, duty log with daily sign-off): the front desk
// writes an entry offline (a form without what was asked is refused), the
// service supervisor signs the day off, a later entry shows as written after
// the sign-off, and the office head spot-checks lines towards the month's 20%.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

const FIRST = "E2E 询问小区游泳池开放时间";
const LATER = "E2E 代收业主包裹一件";

/** The line of the day whose text holds `text`. */
const lineOf = (page, text) => page.getByTestId("duty-line").filter({ hasText: text });
const dutyData = (page, name) => page.getByTestId("duty").getAttribute(`data-${name}`);

test("a duty-log entry written offline is signed off by the supervisor and spot-checked by the head", async (t) => {
  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const deskContext = await browser.newContext();
  const desk = await deskContext.newPage();
  const lead = await (await browser.newContext()).newPage();
  const head = await (await browser.newContext()).newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ desk, lead, head })) {
      await page.screenshot({ path: e2e.artifactPath(`duty-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  await e2e.signIn(desk, server.url, "frontdesk");
  await e2e.openTab(desk, "duty");
  // The demo's parcel taken in today.
  await lineOf(desk, "代收快递一件").waitFor({ timeout: e2e.SYNC_TIMEOUT });
  await e2e.waitForSynced(desk, "the desk's first sync");
  assert.equal(await dutyData(desk, "signed"), "false");
  assert.equal(await desk.getByTestId("duty-sign").count(), 0, "the desk does not sign its own day");
  const before = Number(await dutyData(desk, "lines"));

  // Offline, a form without what was asked is refused and records nothing.
  await deskContext.setOffline(true);
  await e2e.waitFor(async () => (await e2e.syncState(desk)) === "offline", { message: "desk offline" });
  await desk.getByTestId("duty-add-open").click();
  await desk.getByTestId("duty-caller").fill("E2E 李先生");
  await desk.getByTestId("duty-add-confirm").click();
  assert.match(await desk.getByTestId("duty-error").textContent(), /事项/);
  assert.equal(Number(await dutyData(desk, "lines")), before);

  // With it, the entry is in the day's log at once.
  await desk.getByTestId("duty-what").fill(FIRST);
  await desk.getByTestId("duty-outcome").fill("已告知每天 6:00–21:00");
  await desk.getByTestId("duty-add-confirm").click();
  await lineOf(desk, FIRST).waitFor();
  assert.equal(Number(await dutyData(desk, "lines")), before + 1);
  await deskContext.setOffline(false);
  await e2e.waitForSynced(desk, "the entry uploads");

  // The service supervisor sees it and signs the day.
  await e2e.signIn(lead, server.url, "service-lead");
  await e2e.openTab(lead, "duty");
  await lineOf(lead, FIRST).waitFor({ timeout: e2e.SYNC_TIMEOUT });
  await lead.getByTestId("duty-sign").click();
  await lead.getByTestId("duty-signed").waitFor();
  assert.match(await lead.getByTestId("duty-signed").textContent(), /黄丽/);
  await e2e.waitForSynced(lead, "the sign-off uploads");

  // The desk sees the signature, and an entry written after it shows as unseen.
  await e2e.waitFor(async () => (await dutyData(desk, "signed")) === "true", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the desk sees the day signed",
  });
  await desk.getByTestId("duty-add-open").click();
  await desk.getByTestId("duty-topic").selectOption("delivery");
  await desk.getByTestId("duty-what").fill(LATER);
  await desk.getByTestId("duty-add-confirm").click();
  await lineOf(desk, LATER).waitFor();
  assert.equal(await dutyData(desk, "unseen"), "1");
  await e2e.waitForSynced(desk, "the later entry uploads");

  // The head spot-checks: one line in order, one found wanting (a note is required).
  await e2e.signIn(head, server.url, "head");
  await e2e.openTab(head, "duty");
  await lineOf(head, LATER).waitFor({ timeout: e2e.SYNC_TIMEOUT });
  const checkedBefore = Number(await dutyData(head, "checked"));
  await lineOf(head, FIRST).getByTestId("duty-check-ok").click();
  await e2e.waitFor(async () => (await lineOf(head, FIRST).getAttribute("data-checked")) === "true", {
    message: "the first line checked",
  });
  await lineOf(head, LATER).getByTestId("duty-check-issue").click();
  await lineOf(head, LATER).getByTestId("duty-check-confirm").click();
  assert.match(await lineOf(head, LATER).getByTestId("duty-check-error").textContent(), /问题/);
  await lineOf(head, LATER).getByTestId("duty-check-note").fill("未写明业主房号");
  await lineOf(head, LATER).getByTestId("duty-check-confirm").click();
  await e2e.waitFor(async () => (await lineOf(head, LATER).getAttribute("data-checked")) === "true", {
    message: "the later line checked",
  });
  assert.match(await lineOf(head, LATER).textContent(), /未写明业主房号/);
  assert.equal(Number(await dutyData(head, "checked")), checkedBefore + 2);
  const lines = Number(await dutyData(head, "month-lines"));
  assert.match(await head.getByTestId("duty-rate").textContent(), new RegExp(`${checkedBefore + 2}/${lines}`));
  await e2e.waitForSynced(head, "the checks upload");

  // The supervisor's tablet sees the checks, and offers no check buttons.
  await e2e.waitFor(async () => (await lineOf(lead, LATER).getAttribute("data-checked")) === "true", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the supervisor sees the head's checks",
  });
  assert.equal(await lead.getByTestId("duty-check-ok").count(), 0);
});
