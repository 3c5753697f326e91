// A repair from the first step to the last, as issue #16 describes it, in
// headless Chromium against a real server: a guard, offline, records a
// finding that needs a repair; back online, the zone's clerk finds the
// request it became and dispatches a work order to a repair worker; the
// worker, offline, records the arrival, the work, a photo and the
// resident's signature; back online, the clerk confirms the work, calls
// back and closes; the office head's complaints report for the month counts
// the request, received and closed.
//
// Each step's details are tested on their own (finding-request, work-orders,
// requests); this test is the chain between them.

import assert from "node:assert/strict";
import { test } from "node:test";

import { photoPng } from "./fixtures.mjs";
import {
  SITE_OFFSET_MS,
  SYNC_TIMEOUT,
  artifactPath,
  callBackAndClose,
  launchBrowser,
  login,
  openTab,
  shownNumber,
  signIn,
  startServer,
  startShift,
  syncState,
  waitFor,
  waitForState,
  waitForSynced,
} from "./harness.mjs";

async function goOffline(context, page, who) {
  await context.setOffline(true);
  await waitFor(async () => (await syncState(page)) === "offline", { message: `${who} offline` });
}

/** The whole site's requests received and closed this month, from the server's complaints report. */
async function siteFigures(server, month) {
  const { token } = await login(server.url, "head");
  const answer = await fetch(`${server.url}/api/reports/complaints?month=${month}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(answer.status, 200);
  const report = await answer.json();
  const { table } = report.sections.find((section) => section.id === "overview");
  const column = (label) => table.columns.indexOf(label);
  const site = table.rows.find((row) => row[0].type === "label" && row[0].value === "whole_site") ?? table.rows[0];
  return { received: site[column("col_requests")].value, closed: site[column("col_closed")].value };
}

test("a guard's offline finding is repaired offline with the resident's signature, called back, closed and counted", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const guardContext = await browser.newContext();
  const guard = await guardContext.newPage();
  const clerk = await (await browser.newContext()).newPage();
  const workerContext = await browser.newContext();
  const worker = await workerContext.newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ guard, clerk, worker })) {
      await page.screenshot({ path: artifactPath(`repair-chain-${name}.png`), fullPage: true }).catch(() => {});
    }
  });
  const month = new Date(Date.now() + SITE_OFFSET_MS).toISOString().slice(0, 7);
  const before = await siteFigures(server, month);

  // --- The guard, offline, records a finding that needs a repair.
  await signIn(guard, server.url, "guard-a");
  await startShift(guard, { timeout: SYNC_TIMEOUT });
  await waitForSynced(guard, "the guard's shift");
  await goOffline(guardContext, guard, "guard");
  await guard.getByTestId("finding-new").click();
  await guard.getByTestId("finding-kind").selectOption("facility_damage");
  await guard.getByTestId("finding-note").fill("E2E 1栋大堂吊灯不亮");
  await guard.getByTestId("finding-checkpoint").selectOption({ index: 1 });
  await guard.getByTestId("finding-needs-repair").check();
  await guard.getByTestId("finding-save").click();
  const link = guard.getByTestId("finding-item").first().getByTestId("finding-request");
  await waitFor(async () => (await link.getAttribute("data-state")) === "received", {
    message: "the finding shows its request",
  });
  const requestId = await link.getAttribute("data-request-id");
  await guardContext.setOffline(false);
  await waitForSynced(guard, "the guard back online");

  // --- The clerk finds the request and dispatches a work order to repair-a.
  await signIn(clerk, server.url, "service-a");
  await openTab(clerk, "requests");
  const row = clerk.locator(`[data-testid=request-row][data-request-id="${requestId}"]`);
  await row.waitFor({ timeout: SYNC_TIMEOUT });
  await row.click();
  await clerk.getByTestId("request-detail").waitFor();
  await clerk.getByTestId("order-dispatch-open").click();
  const picker = clerk.getByTestId("order-dispatch-worker");
  await waitFor(async () => (await picker.locator('option[value="repair-a"]').count()) === 1, {
    timeout: SYNC_TIMEOUT,
    message: "the staff directory offers repair-a",
  });
  await picker.selectOption("repair-a");
  const inTwoHours = new Date(Date.now() + 2 * 3600_000 + SITE_OFFSET_MS).toISOString().slice(0, 16);
  await clerk.getByTestId("order-dispatch-arrive-by").fill(inTwoHours);
  await clerk.getByTestId("order-dispatch-confirm").click();
  const clerkOrder = clerk.getByTestId("request-order");
  await clerkOrder.waitFor();
  const orderId = await clerkOrder.getAttribute("data-order-id");
  await waitForSynced(clerk, "the dispatch");

  // --- The worker, offline at the lobby: arrival, work, a photo, the signature.
  await signIn(worker, server.url, "repair-a");
  const item = worker.locator(`[data-testid=order-item][data-order-id="${orderId}"]`);
  await item.waitFor({ timeout: SYNC_TIMEOUT });
  await waitForSynced(worker, "the worker's tablet");
  await goOffline(workerContext, worker, "worker");
  await item.locator("button").click();
  await worker.getByTestId("order-detail").waitFor();
  await worker.getByTestId("order-action-arrive").click();
  await worker.getByTestId("order-confirm").click();
  await waitForState(worker, "order-detail", "arrived", "the arrival");
  await worker.getByTestId("order-action-done").click();
  await worker.getByTestId("order-form").waitFor();
  await worker.getByTestId("order-note").fill("更换吊灯灯管两支，已亮");
  await worker
    .getByTestId("order-photos-after-input")
    .setInputFiles({ name: "after.png", mimeType: "image/png", buffer: photoPng() });
  await worker.getByTestId("order-photos-after-thumb").waitFor({ timeout: SYNC_TIMEOUT });
  const pad = worker.getByTestId("order-signature-pad");
  const box = await pad.boundingBox();
  await worker.mouse.move(box.x + 20, box.y + box.height / 2);
  await worker.mouse.down();
  for (let step = 1; step <= 20; step++) {
    await worker.mouse.move(box.x + 20 + (step * (box.width - 40)) / 20, box.y + box.height * (0.5 - 0.2 * Math.sin(step / 2)));
  }
  await worker.mouse.up();
  await worker.getByTestId("order-confirm").click();
  await waitForState(worker, "order-detail", "done", "the work recorded");
  await workerContext.setOffline(false);
  await waitForSynced(worker, "the worker back online");

  // --- The clerk confirms the work, calls back and closes.
  await waitFor(async () => (await clerkOrder.getAttribute("data-state")) === "done", {
    timeout: SYNC_TIMEOUT,
    message: "the clerk sees the order done",
  });
  await clerkOrder.getByTestId("order-confirm-done").click();
  await waitForState(clerk, "request-detail", "done", "the owner confirms the work");
  await callBackAndClose(clerk, "巡逻岗确认大堂灯已亮");
  await waitForSynced(clerk, "the close");

  // --- The head's complaints report of the month counts it.
  const after = await siteFigures(server, month);
  assert.deepEqual(after, { received: before.received + 1, closed: before.closed + 1 });
});
