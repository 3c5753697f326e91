// Work orders (维修单), end to end in headless Chromium against a real
// server: the zone's service clerk records a repair request and dispatches
// a work order to a repair worker picked from the staff directory (a
// dispatch without a time to arrive is refused in the user's language); the
// repair worker's tablet shows the order; offline, the worker records the
// arrival, then the work done with materials, a charge (a charge that is not
// a number is refused first), a photo after the work and the resident's
// signature drawn on the pad; the printed sheet carries the signature; back
// online, the clerk sees the order done, confirms it, calls the resident
// back and closes the request.

import assert from "node:assert/strict";
import { test } from "node:test";

import { photoPng } from "./fixtures.mjs";
import {
  SYNC_TIMEOUT,
  artifactPath,
  callBackAndClose,
  dataState,
  launchBrowser,
  openTab,
  shownNumber,
  signIn,
  siteLocalInput,
  startServer,
  syncState,
  waitFor,
  waitForState,
  waitForSynced,
} from "./harness.mjs";

const FAULT = "E2E 厨房水管漏水，需上门更换角阀";
const UNIT = "3栋1单元502";

test("a repair request is dispatched, worked offline with a photo and the resident's signature, then called back and closed", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const clerk = await (await browser.newContext()).newPage();
  const workerContext = await browser.newContext();
  const worker = await workerContext.newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ clerk, worker })) {
      await page.screenshot({ path: artifactPath(`work-orders-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  // --- The clerk records the resident's call.
  await signIn(clerk, server.url, "service-a");
  await openTab(clerk, "requests");
  await clerk.getByTestId("request-new").click();
  await clerk.getByTestId("request-kind").selectOption("repair_home");
  await clerk.getByTestId("request-unit").fill(UNIT);
  await clerk.getByTestId("request-phone").fill("13900003333");
  await clerk.getByTestId("request-description").fill(FAULT);
  await clerk.getByTestId("request-save").click();
  await clerk.getByTestId("request-detail").waitFor();

  // --- Dispatch: without a time to arrive it is refused and nothing is written.
  await clerk.getByTestId("order-dispatch-open").click();
  const picker = clerk.getByTestId("order-dispatch-worker");
  await waitFor(async () => (await picker.locator('option[value="repair-a"]').count()) === 1, {
    timeout: SYNC_TIMEOUT,
    message: "the staff directory offers repair-a",
  });
  assert.equal(await picker.locator('option[value="guard-a"]').count(), 0, "only repair workers are offered");
  await picker.selectOption("repair-a");
  await clerk.getByTestId("order-dispatch-confirm").click();
  assert.match(await clerk.getByTestId("order-dispatch-error").textContent(), /请填写要求到场时间/);
  assert.equal(await clerk.getByTestId("request-order").count(), 0);
  await clerk.getByTestId("order-dispatch-arrive-by").fill(siteLocalInput(2));
  await clerk.getByTestId("order-dispatch-urgent").check();
  await clerk.getByTestId("order-dispatch-confirm").click();
  const clerkOrder = clerk.getByTestId("request-order");
  await clerkOrder.waitFor();
  assert.equal(await clerkOrder.getAttribute("data-state"), "open");
  assert.equal(await clerkOrder.getAttribute("data-worker"), "repair-a");
  const orderId = await clerkOrder.getAttribute("data-order-id");
  await waitForState(clerk, "request-detail", "assigned", "the request is assigned to the worker");
  await waitForSynced(clerk, "the clerk's dispatch");

  // --- The repair worker's tablet: only their work orders, the new one first.
  await signIn(worker, server.url, "repair-a");
  // Their one screen is their work orders (no tab bar, no request list).
  assert.equal(await worker.getByTestId("tab-requests").count(), 0, "repair staff have no request list");
  const item = worker.locator(`[data-testid=order-item][data-order-id="${orderId}"]`);
  await item.waitFor({ timeout: SYNC_TIMEOUT });
  assert.equal(await item.getAttribute("data-urgent"), "true");
  assert.equal(await worker.getByTestId("order-item").first().getAttribute("data-order-id"), orderId, "urgent and newest first");
  await waitForSynced(worker, "the worker's tablet");

  // --- Offline at the unit.
  await workerContext.setOffline(true);
  await waitFor(async () => (await syncState(worker)) === "offline", { message: "worker offline" });
  await item.locator("button").click();
  await worker.getByTestId("order-detail").waitFor();
  assert.match(await worker.getByTestId("order-detail").textContent(), /厨房水管漏水/);
  await worker.getByTestId("order-action-arrive").click();
  await worker.getByTestId("order-confirm").click();
  await waitForState(worker, "order-detail", "arrived", "the arrival is recorded");
  await worker.getByTestId("order-arrived-at").waitFor();

  // Done: a charge that is not a number is refused, nothing changes.
  await worker.getByTestId("order-action-done").click();
  await worker.getByTestId("order-form").waitFor();
  await worker.getByTestId("order-note").fill("更换厨房角阀一个，试水无渗漏");
  await worker.getByTestId("order-materials").fill("角阀 DN15 ×1");
  await worker.getByTestId("order-charge").fill("三十五元");
  await worker.getByTestId("order-confirm").click();
  assert.match(await worker.getByTestId("order-error").textContent(), /收费必须是金额/);
  assert.equal(await dataState(worker, "order-detail"), "arrived");
  await worker.getByTestId("order-charge").fill("35.50");

  // A photo after the work, and the resident signs on the pad.
  await worker
    .getByTestId("order-photos-after-input")
    .setInputFiles({ name: "after.png", mimeType: "image/png", buffer: photoPng() });
  await worker.getByTestId("order-photos-after-thumb").waitFor({ timeout: SYNC_TIMEOUT });
  const pad = worker.getByTestId("order-signature-pad");
  const box = await pad.boundingBox();
  await worker.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await worker.mouse.down();
  for (let step = 1; step <= 30; step++) {
    await worker.mouse.move(box.x + 20 + step * (box.width - 40) / 30, box.y + box.height * (0.6 - 0.3 * Math.sin(step / 3)));
  }
  await worker.mouse.up();
  assert.equal(await pad.getAttribute("data-signed"), "true");
  await worker.getByTestId("order-confirm").click();
  await waitForState(worker, "order-detail", "done", "the work is recorded done");
  assert.ok((await shownNumber(worker, "sync-pending")) >= 2, "the arrival and the work wait for the server");

  // The signature is a blob like a photo; the print view carries it.
  const signature = worker.getByTestId("order-signature-image");
  const signatureBytes = Number(await signature.getAttribute("data-bytes"));
  assert.ok(signatureBytes > 0 && signatureBytes <= 1_000_000, `signature of ${signatureBytes} bytes`);
  console.log(`figure: the resident's signature PNG is ${signatureBytes} bytes`);
  await waitFor(async () => (await signature.getByTestId("photo").getAttribute("data-state")) === "loaded", {
    message: "the signature shows from the tablet's own blobs",
  });
  await worker.emulateMedia({ media: "print" });
  const sheet = worker.getByTestId("order-print-sheet");
  assert.ok(await sheet.isVisible(), "the 维修单 shows when printing");
  const printed = await sheet.textContent();
  for (const expected of ["维修单", UNIT, "厨房水管漏水", "更换厨房角阀", "角阀 DN15", "35.50"]) {
    assert.ok(printed.includes(expected), `the printed sheet has ${expected}`);
  }
  assert.ok(!printed.includes("13900003333"), "the printed phone is masked");
  assert.equal(await sheet.locator("img").count() >= 1, true, "the printed sheet has the signature image");
  assert.equal(await worker.getByTestId("order-action-done").count(), 0, "the actions do not print");
  await worker.emulateMedia({ media: "screen" });

  // --- Back online: everything goes up, the signature and the photo too.
  await workerContext.setOffline(false);
  await waitForSynced(worker, "the worker back online");

  // --- The clerk sees the work done, confirms it, calls back and closes.
  await waitFor(async () => (await clerkOrder.getAttribute("data-state")) === "done", {
    timeout: SYNC_TIMEOUT,
    message: "the clerk sees the order done",
  });
  assert.match(await clerkOrder.getByTestId("order-outcome-note").textContent(), /更换厨房角阀/);
  assert.equal((await clerkOrder.getByTestId("order-outcome-charge").textContent()).trim(), "35.50");
  await waitFor(
    async () => (await clerkOrder.getByTestId("order-signature-image").getByTestId("photo").getAttribute("data-state")) === "loaded",
    { timeout: SYNC_TIMEOUT, message: "the signature reaches the clerk's tablet" },
  );
  // The callback stays mandatory: closing is not offered before it.
  assert.equal(await clerk.getByTestId("request-action-close").count(), 0);
  await clerkOrder.getByTestId("order-confirm-done").click();
  await waitForState(clerk, "request-detail", "done", "the owner confirms the work");
  assert.equal(await clerk.getByTestId("request-action-close").count(), 0, "no closing before the callback");
  await callBackAndClose(clerk, "住户确认已不漏水");
  await waitForSynced(clerk, "the clerk's closing");
});

test("the engineering supervisor sees every worker's load, reassigns an order, the new worker (of another zone) receives it, and it is cancelled", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const engineering = await (await browser.newContext()).newPage();
  const newWorker = await (await browser.newContext()).newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ engineering, newWorker })) {
      await page.screenshot({ path: artifactPath(`work-orders-reassign-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  // The engineering supervisor records a common-area repair and dispatches it.
  await signIn(engineering, server.url, "engineering");
  await openTab(engineering, "requests");
  await engineering.getByTestId("request-new").click();
  await engineering.getByTestId("request-kind").selectOption("repair_common");
  await engineering.getByTestId("request-unit").fill("5栋地下车库");
  await engineering.getByTestId("request-description").fill("E2E 车库照明线路故障");
  await engineering.getByTestId("request-save").click();
  await engineering.getByTestId("request-detail").waitFor();
  await engineering.getByTestId("order-dispatch-open").click();
  const picker = engineering.getByTestId("order-dispatch-worker");
  await waitFor(async () => (await picker.locator('option[value="repair-a2"]').count()) === 1, {
    timeout: SYNC_TIMEOUT,
    message: "the staff directory offers repair-a2",
  });
  await picker.selectOption("repair-a2");
  await engineering.getByTestId("order-dispatch-arrive-by").fill(siteLocalInput(4));
  await engineering.getByTestId("order-dispatch-confirm").click();
  await engineering.getByTestId("request-order").waitFor();

  // The work-order view: each worker's open load, filters by state and worker.
  await openTab(engineering, "orders");
  const load = (worker) => engineering.locator(`[data-testid=orders-load-row][data-worker="${worker}"]`);
  await waitFor(async () => (await load("repair-a2").getAttribute("data-open")) === "1", {
    timeout: SYNC_TIMEOUT,
    message: "repair-a2 has one open order",
  });
  assert.equal(await load("repair-b").getAttribute("data-open"), "0");
  await engineering.getByTestId("orders-filter-worker").selectOption("repair-b");
  await waitFor(async () => (await engineering.getByTestId("orders").getAttribute("data-count")) === "0", {
    message: "no order of repair-b yet",
  });
  await engineering.getByTestId("orders-filter-worker").selectOption("");
  await engineering.getByTestId("orders-filter-state").selectOption("open");
  const item = engineering.getByTestId("order-item").filter({ hasText: "车库照明线路故障" });
  await item.waitFor();

  // Reassign to repair-b, with a reason.
  await item.locator("button").click();
  await engineering.getByTestId("order-action-reassign").click();
  await engineering.getByTestId("order-reassign-to").selectOption("repair-b");
  await engineering.getByTestId("order-note").fill("何建今日请假");
  await engineering.getByTestId("order-confirm").click();
  await waitForState(engineering, "order-detail", "reassigned", "the old order is reassigned");
  await engineering.getByTestId("order-back").click();
  await waitFor(async () => (await load("repair-b").getAttribute("data-open")) === "1", {
    timeout: SYNC_TIMEOUT,
    message: "repair-b now has the open order",
  });
  assert.equal(await load("repair-a2").getAttribute("data-open"), "0");
  await waitForSynced(engineering, "the reassignment");

  // repair-b's tablet receives it; repair-a2's order is not theirs to see.
  await signIn(newWorker, server.url, "repair-b");
  const theirs = newWorker.getByTestId("order-item").filter({ hasText: "车库照明线路故障" });
  await theirs.waitFor({ timeout: SYNC_TIMEOUT });
  assert.equal(await theirs.getAttribute("data-state"), "open");
  assert.equal(await newWorker.getByTestId("order-item").count(), 1, "only their own order");

  // The fault turns out fixed already: the engineering supervisor cancels
  // repair-b's order with a reason, and it leaves repair-b's open list.
  await engineering.getByTestId("orders-filter-state").selectOption("");
  await engineering.getByTestId("orders-filter-worker").selectOption("repair-b");
  await engineering.getByTestId("order-item").filter({ hasText: "车库照明线路故障" }).locator("button").click();
  await engineering.getByTestId("order-action-cancel").click();
  await engineering.getByTestId("order-confirm").click();
  await engineering.getByTestId("order-error").waitFor();
  await engineering.getByTestId("order-note").fill("物业电工已抢修恢复");
  await engineering.getByTestId("order-confirm").click();
  await waitForState(engineering, "order-detail", "cancelled", "the order is cancelled");
  await waitForSynced(engineering, "the cancellation");
  await waitFor(async () => (await theirs.count()) === 0, {
    timeout: SYNC_TIMEOUT,
    message: "the cancelled order leaves repair-b's list",
  });
});
