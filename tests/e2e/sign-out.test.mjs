// Signing out and removing one's data from the tablet (issue #22, part 2):
// nothing not yet on the server is removed; once everything is uploaded the
// user's documents leave the tablet; on a shared tablet removal is the
// default, and another remembered user's documents stay.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

/** Opens the sign-out panel; answers whether "remove my data" is ticked. */
async function openSignOut(page) {
  await page.getByTestId("signout").click();
  // Ticked by default on a shared tablet, which the panel learns at once.
  await page.locator("[data-testid=signout-panel][data-shared]").waitFor();
  return page.getByTestId("signout-remove-data").isChecked();
}

async function signOut(page, { remove }) {
  await page.getByTestId("signout-remove-data").setChecked(remove);
  await page.getByTestId("signout-confirm").click();
  await page.getByTestId("signin-username").waitFor({ timeout: e2e.SYNC_TIMEOUT * 2 });
}

test("signing out removes the user's data only once it is on the server, and only theirs on a shared tablet", async (t) => {
  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const context = await browser.newContext();
  const tablet = await context.newPage();
  t.after(async () => {
    if (t.passed === false) await tablet.screenshot({ path: e2e.artifactPath("sign-out.png"), fullPage: true }).catch(() => {});
  });

  // A guard records a request offline, then signs out asking for removal:
  // the request has not reached the server, so everything stays.
  await e2e.signIn(tablet, server.url, "guard-a");
  await e2e.waitForSynced(tablet, "the guard's first sync");
  assert.equal(await openSignOut(tablet), false, "a tablet only this guard used: removal is not the default");
  await tablet.getByTestId("signout-stay").click();
  await context.setOffline(true);
  await e2e.waitFor(async () => (await e2e.syncState(tablet)) === "offline", { message: "offline" });
  await e2e.openTab(tablet, "requests");
  await tablet.getByTestId("request-new").click();
  await tablet.getByTestId("request-kind").selectOption("repair_common");
  await tablet.getByTestId("request-unit").fill("3栋大堂");
  await tablet.getByTestId("request-description").fill("E2E 大堂门禁失灵");
  await tablet.getByTestId("request-save").click();
  await tablet.getByTestId("request-detail").waitFor();
  await openSignOut(tablet);
  await tablet.getByTestId("signout-pending").waitFor();
  await signOut(tablet, { remove: true });
  await tablet.getByTestId("signin-notice").waitFor();
  assert.ok((await e2e.storedChunks(tablet)) > 0, "the unsent request stays on the tablet");

  // Online again, the guard signs in, the request uploads, and signing out
  // with removal now empties the tablet (nobody else used it).
  await context.setOffline(false);
  await e2e.signIn(tablet, server.url, "guard-a");
  await e2e.waitForSynced(tablet, "the kept request uploads");
  await openSignOut(tablet);
  await signOut(tablet, { remove: true });
  await e2e.waitFor(async () => (await e2e.storedChunks(tablet)) === 0, {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the guard's documents leave the tablet",
  });

  // A shared tablet: guard-a signs in and out keeping their data, then
  // guard-b (zone B) uses it. Removal is guard-b's default, and takes only
  // what guard-a may not read.
  await e2e.signIn(tablet, server.url, "guard-a");
  await e2e.waitForSynced(tablet, "guard-a syncs again");
  await openSignOut(tablet);
  await signOut(tablet, { remove: false });
  const guardA = await e2e.storedChunks(tablet);
  assert.ok(guardA > 0, "guard-a's documents stay");
  await e2e.signIn(tablet, server.url, "guard-b");
  await e2e.waitForSynced(tablet, "guard-b syncs");
  assert.ok((await e2e.storedChunks(tablet)) > guardA, "guard-b's zone B documents are added");
  assert.equal(await openSignOut(tablet), true, "a shared tablet: removal is the default");
  await signOut(tablet, { remove: true });
  await e2e.waitFor(async () => (await e2e.storedChunks(tablet)) === guardA, {
    timeout: e2e.SYNC_TIMEOUT,
    message: "only guard-b's documents leave; guard-a's stay",
  });
});
