// A patrol finding that needs a repair becomes a real request, end to end in
// headless Chromium against a real server: a guard, offline, records a
// finding with a photo at a checkpoint and ticks "needs repair"; the finding
// shows its request's state at once; back online, the zone's service clerk
// finds the request in their list with the checkpoint and the photo, and
// the engineering supervisor sees it too; when the clerk starts work, the
// guard's finding shows the new state.

import assert from "node:assert/strict";
import { test } from "node:test";

import { photoPng } from "./fixtures.mjs";
import {
  SYNC_TIMEOUT,
  artifactPath,
  launchBrowser,
  openTab,
  shownNumber,
  signIn,
  startServer,
  startShift,
  syncState,
  waitFor,
  waitForSynced,
} from "./harness.mjs";

const NOTE = "2栋大堂玻璃门门禁损坏，门关不上";

test("a guard's offline finding needing repair reaches the clerk's request list with its checkpoint", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const guardContext = await browser.newContext();
  const guard = await guardContext.newPage();
  const clerk = await (await browser.newContext()).newPage();
  const engineering = await (await browser.newContext()).newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ guard, clerk, engineering })) {
      await page.screenshot({ path: artifactPath(`finding-request-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  // --- The guard goes on duty, then loses the network.
  await signIn(guard, server.url, "guard-a");
  await startShift(guard, { timeout: SYNC_TIMEOUT });
  await waitForSynced(guard, "the guard's shift");
  await guardContext.setOffline(true);
  await waitFor(async () => (await syncState(guard)) === "offline", { message: "guard offline" });

  // --- Offline: a finding at A-02 with a photo, needing a repair.
  await guard.getByTestId("finding-new").click();
  await guard.getByTestId("finding-kind").selectOption("facility_damage");
  await guard.getByTestId("finding-note").fill(NOTE);
  const checkpoint = await guard
    .getByTestId("finding-checkpoint")
    .locator("option")
    .evaluateAll((options) => {
      const option = options.find((o) => o.textContent.startsWith("A-02"));
      return option && { value: option.value, label: option.textContent.trim() };
    });
  assert.ok(checkpoint, "the zone's checkpoints are offered");
  await guard.getByTestId("finding-checkpoint").selectOption(checkpoint.value);
  await guard.getByTestId("finding-photo-input").setInputFiles({ name: "door.png", mimeType: "image/png", buffer: photoPng() });
  await guard.getByTestId("finding-photo-thumb").waitFor({ timeout: SYNC_TIMEOUT });
  await guard.getByTestId("finding-needs-repair").check();
  await guard.getByTestId("finding-save").click();

  // The finding shows its request, already recorded on the tablet: received.
  const link = guard.getByTestId("finding-item").first().getByTestId("finding-request");
  await waitFor(async () => (await link.getAttribute("data-state")) === "received", {
    message: "the finding shows its request's state",
  });
  const requestId = await link.getAttribute("data-request-id");
  assert.match(requestId, /^req-f[0-9a-f]{32}$/, "a request id derived from the finding");
  assert.match(await link.textContent(), /报修单：已受理/);
  assert.ok((await shownNumber(guard, "sync-pending")) >= 2, "the finding and its request wait for the server");

  // --- Back online: both go up, with the photo.
  await guardContext.setOffline(false);
  await waitForSynced(guard, "guard back online");

  // --- The zone's service clerk finds it in their list, with the checkpoint.
  await signIn(clerk, server.url, "service-a");
  await openTab(clerk, "requests");
  const row = clerk.locator(`[data-testid=request-row][data-request-id="${requestId}"]`);
  await row.waitFor({ timeout: SYNC_TIMEOUT });
  assert.equal(await row.getAttribute("data-state"), "received");
  assert.equal((await row.locator(".request-row-unit").textContent()).trim(), checkpoint.label);
  assert.match(await row.textContent(), /公共报修|公共区域/);
  await row.click();
  await clerk.getByTestId("request-detail").waitFor();
  assert.equal((await clerk.getByTestId("request-detail-checkpoint").textContent()).trim(), checkpoint.label);
  await clerk.getByTestId("request-detail-finding").waitFor();
  await waitFor(
    async () => (await clerk.getByTestId("request-detail").getByTestId("photo").first().getAttribute("data-state")) === "loaded",
    { timeout: SYNC_TIMEOUT, message: "the finding's photo on the clerk's tablet" },
  );
  assert.equal(await clerk.getByTestId("request-detail-phone").textContent(), "", "no resident, no phone");

  // --- The engineering supervisor sees it in their list too.
  await signIn(engineering, server.url, "engineering");
  await openTab(engineering, "requests");
  await engineering.locator(`[data-testid=request-row][data-request-id="${requestId}"]`).waitFor({ timeout: SYNC_TIMEOUT });

  // --- The clerk starts work: the guard's finding follows the request.
  await clerk.getByTestId("request-action-start").click();
  await clerk.getByTestId("request-action-form").waitFor();
  await clerk.getByTestId("request-action-confirm").click();
  await waitFor(async () => (await clerk.getByTestId("request-detail").getAttribute("data-state")) === "in_progress", {
    message: "the clerk started it",
  });
  await waitForSynced(clerk, "the clerk's start");
  await waitFor(async () => (await link.getAttribute("data-state")) === "in_progress", {
    timeout: SYNC_TIMEOUT,
    message: "the guard's finding shows the request in progress",
  });
  assert.match(await link.textContent(), /报修单：处理中/);
});
