// Cleaning inspection end to end, in headless Chromium against a real server:
// two supervisors inspect the same area offline and merge (the stricter mark
// stands, both shown); the deduction's rectification is closed by a
// re-inspection; the supervisor and the vendor sign; the month locks and the
// app refuses edits on both tablets. (The server's refusal of a client that
// bypasses the app is server/tests/cleaning.rs.)

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEMO_PASSWORD,
  SITE_OFFSET_MS,
  artifactPath,
  launchBrowser,
  startServer,
  waitFor,
} from "./harness.mjs";

const SYNC_TIMEOUT = 20_000;

/** 09:00 site time on the last day of the current site month (signing opens then). */
function lastDayOfMonth() {
  const site = new Date(Date.now() + SITE_OFFSET_MS);
  const last = Date.UTC(site.getUTCFullYear(), site.getUTCMonth() + 1, 0, 9, 0);
  return last - SITE_OFFSET_MS;
}

async function signIn(page, url, username) {
  await page.goto(url);
  await page.getByTestId("signin-username").fill(username);
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("user-name").waitFor();
}

const pending = async (page) => Number(await page.getByTestId("sync-pending").textContent());

async function waitForPending(page, count, message) {
  await waitFor(async () => (await pending(page)) === count, {
    timeout: SYNC_TIMEOUT,
    message: `${message}: pending ${count} (is ${await pending(page).catch(() => "?")})`,
  });
}

/** Starts (or joins) today's inspection of `area`. */
async function inspect(page, area) {
  await page.getByTestId("tab-inspect").click();
  await page.getByTestId("inspect-area").selectOption(area);
  await page.getByTestId("inspect-start").click();
  await page.getByTestId("inspect-items").waitFor();
}

const item = (page, id) => page.locator(`[data-testid=inspect-item][data-item-id="${id}"]`);

async function draw(page, testid) {
  await page.getByTestId(testid).scrollIntoViewIfNeeded();
  const box = await page.getByTestId(testid).boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let step = 1; step <= 10; step += 1) {
    await page.mouse.move(box.x + 20 + step * 15, box.y + box.height / 2 + (step % 2 ? 12 : -12));
  }
  await page.mouse.up();
}

async function sign(page, party, name) {
  await page.getByTestId(`sign-${party}-name`).fill(name);
  await draw(page, `sign-${party}-pad`);
  await page.getByTestId(`sign-${party}-submit`).click();
  await waitFor(async () => (await page.getByTestId(`sign-${party}-form`).getAttribute("data-signed")) === "true", {
    timeout: SYNC_TIMEOUT,
    message: `${party} signed (${await page.getByTestId(`sign-${party}-result`).textContent().catch(() => "no result")}; ink ${await page.getByTestId(`sign-${party}-pad`).getAttribute("data-ink").catch(() => "?")})`,
  });
}

test("two supervisors inspect one area offline, a rectification is closed, the month is signed and locked", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const contexts = [await browser.newContext(), await browser.newContext()];
  const [a, b] = await Promise.all(contexts.map((context) => context.newPage()));
  for (const page of [a, b]) await page.clock.install({ time: lastDayOfMonth() });
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ a, b })) {
      await page.screenshot({ path: artifactPath(`${t.name}-${name}.png`), fullPage: true }).catch(() => {});
    }
  });
  await signIn(a, server.url, "cleaning");
  await signIn(b, server.url, "cleaning2");

  // Offline, both inspect the lobby: A gives the floor full marks, B deducts 2.
  for (const context of contexts) await context.setOffline(true);
  await inspect(a, "lobby");
  await inspect(b, "lobby");
  await item(a, "lobby-floor").getByTestId("mark-full").click();
  await item(b, "lobby-floor").getByTestId("mark-deduct").click();
  await item(b, "lobby-floor").getByTestId("mark-points").fill("2");
  await item(b, "lobby-floor").getByTestId("mark-reason").fill("地面有污渍");
  await item(b, "lobby-floor").getByTestId("mark-save").click();
  await waitFor(async () => (await item(b, "lobby-floor").getAttribute("data-outcome")) === "deducted", {
    message: "B's deduction recorded offline",
  });
  for (const context of contexts) await context.setOffline(false);
  for (const page of [a, b]) await waitForPending(page, 0, "both inspections reached the server");

  // Merged: both marks kept and shown, the stricter (the deduction) stands.
  for (const page of [a, b]) {
    await waitFor(async () => (await item(page, "lobby-floor").getAttribute("data-outcome")) === "deducted", {
      timeout: SYNC_TIMEOUT,
      message: "the stricter mark stands on both tablets",
    });
    const marks = await item(page, "lobby-floor").getByTestId("inspect-conflict-mark").evaluateAll((els) =>
      els.map((el) => [el.dataset.by, el.dataset.stood]).sort(),
    );
    assert.equal(marks.length, 2);
    assert.equal(marks.filter(([, stood]) => stood === "true").length, 1);
  }

  // The deduction opened a rectification; a re-inspection that passes closes it.
  await a.getByTestId("tab-rectifications").click();
  const rect = a.locator('[data-testid=rect-item][data-item-id="lobby-floor"]');
  await rect.waitFor({ timeout: SYNC_TIMEOUT });
  assert.equal(await rect.getAttribute("data-status"), "open");
  await rect.getByTestId("rect-reinspect").click();
  await a.getByTestId("reinspect-passed").click();
  await a.getByTestId("reinspect-note").fill("已清洁干净");
  await a.getByTestId("reinspect-save").click();
  const statuses = () => rect.evaluateAll((els) => els.map((el) => el.dataset.status));
  await waitFor(async () => (await statuses()).every((status) => status === "closed"), {
    timeout: SYNC_TIMEOUT,
    message: `the rectification is closed (${await a.getByTestId("reinspect-result").textContent().catch(() => "no result")})`,
  });

  // The month's sheet: the lobby scored, the total out of 100.
  await a.getByTestId("tab-sheet").click();
  const lobby = a.locator('[data-testid=sheet-area][data-area-id="lobby"]');
  await lobby.waitFor();
  assert.notEqual(await lobby.getAttribute("data-score"), "");
  assert.notEqual(await a.getByTestId("sheet-total").getAttribute("data-total"), "");

  // Both parties sign on A's tablet; the month locks, on B's tablet too.
  await sign(a, "supervisor", "刘芳");
  await sign(a, "vendor", "洁美保洁 周经理");
  await waitFor(async () => (await a.getByTestId("sheet-state").getAttribute("data-locked")) === "true", {
    message: "locked after both signatures",
  });
  await waitForPending(a, 0, "signatures reached the server");
  await b.getByTestId("tab-inspect").click();
  await b.getByTestId("inspect-locked").waitFor({ timeout: SYNC_TIMEOUT });

  // A client that bypasses the app and writes into the locked month over
  // /sync is refused by the server with nothing stored:
  // server/tests/cleaning.rs (a_signed_off_month_refuses_every_later_change).
});
