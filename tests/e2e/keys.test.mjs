// The front desk's key book (issue #17, key loans): a key lent offline,
// a bad form refused, the key overdue on the desk's and the head's tablets
// once its time passes, then brought back late.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

const KEY = "E2E 5号楼配电房";

/** The row of a loan of `key` on `page`. */
const loanOf = (page, key) => page.locator(`[data-testid=key-loan][data-key="${key}"]`);

test("a key lent offline becomes overdue on the desk and the head's tablets and comes back late", async (t) => {
  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const deskContext = await browser.newContext();
  const desk = await deskContext.newPage();
  const head = await (await browser.newContext()).newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ desk, head })) {
      await page.screenshot({ path: e2e.artifactPath(`keys-${name}.png`), fullPage: true }).catch(() => {});
    }
  });
  const start = Date.now();
  await desk.clock.install({ time: start });
  // The head's tablet reads the book two hours later.
  await head.clock.install({ time: start + 2 * 3600_000 });

  await e2e.signIn(desk, server.url, "frontdesk");
  await e2e.openTab(desk, "keys");
  const book = desk.getByTestId("keys");
  // The demo's book: the roof door overdue, a vacant flat's key out.
  await e2e.waitFor(async () => (await book.getAttribute("data-overdue")) === "1", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the demo's overdue key",
  });
  assert.equal(await book.getAttribute("data-out"), "2");
  await e2e.waitForSynced(desk, "the desk's first sync");

  // Offline, a form without a borrower is refused and records nothing.
  await deskContext.setOffline(true);
  await e2e.waitFor(async () => (await e2e.syncState(desk)) === "offline", { message: "desk offline" });
  await desk.getByTestId("key-lend-open").click();
  await desk.getByTestId("key-label").fill(KEY);
  await desk.getByTestId("key-due-back").fill(e2e.siteLocalInput(0.5, start));
  await desk.getByTestId("key-lend-confirm").click();
  assert.match(await desk.getByTestId("key-error").textContent(), /借用人/);
  assert.equal(await loanOf(desk, KEY).count(), 0);

  // With the borrower it is lent, due in half an hour, and out.
  await desk.getByTestId("key-borrower").fill("E2E 外包电工 张工");
  await desk.getByTestId("key-purpose").fill("更换配电箱断路器");
  await desk.getByTestId("key-lend-confirm").click();
  await loanOf(desk, KEY).waitFor();
  assert.equal(await loanOf(desk, KEY).getAttribute("data-state"), "out");
  assert.equal(await book.getAttribute("data-out"), "3");
  await deskContext.setOffline(false);
  await e2e.waitForSynced(desk, "the loan uploads");

  // An hour later it is overdue on the desk's tablet...
  await desk.clock.fastForward("01:00:00");
  await e2e.waitFor(async () => (await loanOf(desk, KEY).getAttribute("data-state")) === "overdue", {
    message: "the key overdue on the desk",
  });
  assert.equal(await book.getAttribute("data-overdue"), "2");

  // ...and on the head's: their first screen counts the overdue keys and
  // opens the book, where they come first.
  await e2e.signIn(head, server.url, "head");
  const banner = head.getByTestId("keys-overdue");
  await e2e.waitFor(async () => (await banner.count()) === 1 && (await banner.getAttribute("data-count")) === "3", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the head's first screen counts the roof door, the vacant flat's and the E2E key overdue",
  });
  await head.getByTestId("keys-overdue-open").click();
  await loanOf(head, KEY).waitFor({ timeout: e2e.SYNC_TIMEOUT });
  assert.equal(await loanOf(head, KEY).getAttribute("data-state"), "overdue");
  const states = await head.getByTestId("key-loan").evaluateAll((rows) => rows.map((row) => row.dataset.state));
  assert.deepEqual(states.slice(0, 2), ["overdue", "overdue"], states.join(","));

  // The key comes back: late, on both tablets.
  await loanOf(desk, KEY).getByTestId("key-return-open").click();
  await loanOf(desk, KEY).getByTestId("key-return-note").fill("标签破损，已更换");
  await loanOf(desk, KEY).getByTestId("key-return-confirm").click();
  await e2e.waitFor(async () => (await loanOf(desk, KEY).getAttribute("data-state")) === "returned_late", {
    message: "the key back late on the desk",
  });
  await e2e.waitForSynced(desk, "the return uploads");
  await e2e.waitFor(async () => (await loanOf(head, KEY).getAttribute("data-state")) === "returned_late", {
    timeout: e2e.SYNC_TIMEOUT,
    message: "the head sees it back late",
  });
});
