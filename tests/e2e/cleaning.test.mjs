// Cleaning inspection end to end, in headless Chromium against a real server:
// two supervisors inspect the same area offline and merge (the stricter mark
// stands, both shown); the deduction's rectification is closed by a
// re-inspection; the supervisor and the vendor sign; the month locks, the app
// refuses edits on both tablets, and the server refuses a client that bypasses
// the app and writes into the month over /sync, storing nothing.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as Automerge from "@automerge/automerge";

import {
  SITE_OFFSET_MS,
  SYNC_TIMEOUT,
  artifactPath,
  launchBrowser,
  listDocs,
  login,
  pending,
  signIn,
  startServer,
  waitFor,
  waitForPending,
} from "./harness.mjs";
import { RawPeer } from "./raw-peer.mjs";

/** 09:00 site time on the last day of the current site month (signing opens then). */
function lastDayOfMonth() {
  const site = new Date(Date.now() + SITE_OFFSET_MS);
  const last = Date.UTC(site.getUTCFullYear(), site.getUTCMonth() + 1, 0, 9, 0);
  return last - SITE_OFFSET_MS;
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
    message: async () => `${party} signed (${await page.getByTestId(`sign-${party}-result`).textContent({ timeout: 1000 }).catch(() => "no result")}; ink ${await page.getByTestId(`sign-${party}-pad`).getAttribute("data-ink").catch(() => "?")})`,
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
    message: async () => `the rectification is closed (${await a.getByTestId("reinspect-result").textContent({ timeout: 1000 }).catch(() => "no result")})`,
  });

  // The month's sheet: the lobby scored, the total out of 100.
  await a.getByTestId("tab-sheet").click();
  const lobby = a.locator('[data-testid=sheet-area][data-area-id="lobby"]');
  await lobby.waitFor();
  assert.notEqual(await lobby.getAttribute("data-score"), "");
  assert.notEqual(await a.getByTestId("sheet-total").getAttribute("data-total"), "");

  // B, offline, marks one more item before the month is signed.
  // (B's screen still shows today's lobby inspection.)
  await contexts[1].setOffline(true);
  await item(b, "lobby-glass").getByTestId("mark-full").click();
  await waitFor(async () => (await item(b, "lobby-glass").getAttribute("data-outcome")) === "full", {
    message: "B's late mark recorded offline",
  });

  // Both parties sign on A's tablet; the month locks, on B's tablet too.
  await sign(a, "supervisor", "刘芳");
  await sign(a, "vendor", "洁美保洁 周经理");
  await waitFor(async () => (await a.getByTestId("sheet-state").getAttribute("data-locked")) === "true", {
    message: "locked after both signatures",
  });
  await waitForPending(a, 0, "signatures reached the server");
  // B reconnects: the server refuses its late mark and B says so, keeps the
  // mark on the tablet, and still receives the lock.
  await contexts[1].setOffline(false);
  const refused = b.locator('[data-testid=sync-refused-doc][data-kind="cleaning_month"]');
  await refused.waitFor({ state: "attached", timeout: SYNC_TIMEOUT });
  assert.equal(await refused.getAttribute("data-reason"), "month-locked");
  assert.match(await refused.textContent(), /锁定/);
  await b.getByTestId("tab-inspect").click();
  await b.getByTestId("inspect-locked").waitFor({ timeout: SYNC_TIMEOUT });
  assert.ok((await pending(b)) > 0, "the refused mark stays on B's tablet");

  // A client that bypasses the app writes a mark straight into the locked
  // month with plain Automerge over /sync: the server refuses it, names the
  // month, and stores nothing.
  const { token } = await login(server.url, "cleaning2");
  const month = await currentMonthDocument(server, token);
  const bypass = await RawPeer.connect(server, token);
  t.after(() => bypass.close());
  const signed = (doc) => Object.keys(doc.signatures ?? {}).length === 2;
  const before = Automerge.getHeads(await bypass.fetch(month, signed));
  bypass.change(month, (doc) => {
    doc.marks["mark-forged"] = { item_id: "lobby-glass", outcome: "full", by: "cleaning2" };
  });
  await waitFor(() => bypass.errors.length > 0, { timeout: SYNC_TIMEOUT, message: "the server's refusal" });
  assert.match(bypass.errors[0], /locked/);
  assert.ok(bypass.errors[0].includes(month), `the refusal names the month: ${bypass.errors[0]}`);
  await waitFor(() => bypass.closed, { message: "the server ended the refused connection" });

  const fresh = await RawPeer.connect(server, (await login(server.url, "cleaning")).token);
  t.after(() => fresh.close());
  const stored = await fresh.fetch(month, signed);
  assert.deepEqual(Automerge.getHeads(stored), before, "nothing was stored");
  assert.equal(stored.marks["mark-forged"], undefined);
  fresh.close();
});

/** The id of this site month's cleaning document, as listed for `token`'s user. */
async function currentMonthDocument(server, token) {
  const site = new Date(Date.now() + SITE_OFFSET_MS).toISOString().slice(0, 7);
  const docs = await listDocs(server.url, token);
  const entry = docs.find((doc) => doc.kind === "cleaning_month" && String(doc.period).startsWith(site));
  assert.ok(entry, `this month's cleaning document in ${JSON.stringify(docs)}`);
  return entry.document_id;
}

test("the environment supervisor sets the contract's pass mark and the month is held to it", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const page = await (await browser.newContext()).newPage();
  await page.clock.install({ time: lastDayOfMonth() });
  t.after(async () => {
    if (t.passed === false) {
      await page.screenshot({ path: artifactPath(`${t.name}.png`), fullPage: true }).catch(() => {});
    }
  });
  await signIn(page, server.url, "environment");

  // A pass mark outside 1..100 is refused on the spot; 95 is published.
  await page.getByTestId("tab-template").click();
  const threshold = page.getByTestId("template-threshold");
  assert.equal(await threshold.inputValue(), "90", "the default");
  await threshold.fill("101");
  await page.getByTestId("template-threshold-error").waitFor();
  assert.equal(await page.getByTestId("template-publish").isDisabled(), true);
  await threshold.fill("95");
  await page.getByTestId("template-publish").click();
  await page.locator('[data-testid=template-version][data-version="1"]').waitFor();

  // This month's first inspection uses the new version: the lobby's floor
  // loses 1 of 6 points, 83.3 in all, below 95.
  await inspect(page, "lobby");
  await item(page, "lobby-floor").getByTestId("mark-deduct").click();
  await item(page, "lobby-floor").getByTestId("mark-points").fill("1");
  await item(page, "lobby-floor").getByTestId("mark-reason").fill("地面有水渍");
  await item(page, "lobby-floor").getByTestId("mark-save").click();
  await page.getByTestId("tab-sheet").click();
  await page.getByTestId("sheet-total").waitFor();
  assert.equal(await page.getByTestId("sheet-total").getAttribute("data-total"), "83.3");
  assert.equal(await page.getByTestId("sheet-threshold").getAttribute("data-value"), "95.0");
  // The printout names the version the month is scored with, and when it was published.
  assert.match(await page.getByTestId("print-template").textContent(), /^模板：第 1 版 · \d{4}-\d{2}-\d{2}$/);
  // The month is not over: its 83.3 is provisional, with no verdict yet.
  await page.getByTestId("sheet-provisional").waitFor();
  assert.equal(await page.getByTestId("sheet-below").count(), 0, "no verdict while the month runs");
  await waitForPending(page, 0, "the template and the inspection reached the server");

  // The next morning the month is over: the sheet (last month's until the
  // 5th) holds it to 95, and it is below.
  await page.clock.setSystemTime(lastDayOfMonth() + 24 * 3600 * 1000);
  await page.getByTestId("tab-inspect").click();
  await page.getByTestId("tab-sheet").click();
  await page.getByTestId("sheet-below").waitFor();
  assert.equal(await page.getByTestId("sheet-provisional").count(), 0);
  assert.equal(await page.getByTestId("sheet-total").getAttribute("data-total"), "83.3");
});
