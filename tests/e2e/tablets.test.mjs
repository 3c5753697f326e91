// Two tablets in headless Chromium against a real server: recording offline,
// reloading and restarting the browser offline, reconnecting with live push,
// concurrent offline edits, and zone isolation.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { chromium } from "playwright-core";

import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  DEMO_PASSWORD,
  artifactPath,
  launchBrowser,
  listDocs,
  login,
  startServer,
  waitFor,
} from "./harness.mjs";

const SYNC_TIMEOUT = 15_000;

/** Signs in through the sign-in screen and waits for the home screen. */
async function signIn(page, url, username) {
  await page.goto(url);
  await page.getByTestId("signin-username").fill(username);
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("user-name").waitFor();
}

/** Waits until the service worker controls the page, so it can start offline. */
async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }),
      );
    }
  });
}

/** Types a checkpoint code on the scan screen and waits for "saved". */
async function scan(page, code) {
  const before = await page.getByTestId("scan-item").count();
  await page.getByTestId("scan-code").fill(code);
  await page.getByTestId("scan-submit").click();
  const result = page.getByTestId("scan-result");
  await waitFor(async () => (await result.getAttribute("data-kind")) === "ok", {
    timeout: SYNC_TIMEOUT,
    message: `scan ${code} saved`,
  });
  await waitFor(async () => (await page.getByTestId("scan-item").count()) === before + 1, {
    timeout: SYNC_TIMEOUT,
    message: `scan ${code} listed`,
  });
}

const pending = async (page) => Number(await page.getByTestId("sync-pending").textContent());
const linkState = (page) => page.getByTestId("sync-online").getAttribute("data-state");
const scanCodes = (page) => page.getByTestId("scan-item").evaluateAll((items) =>
  items.map((item) => item.querySelector("[data-testid=scan-item-code]")?.textContent?.trim()).sort(),
);

async function waitForPending(page, count, message) {
  await waitFor(async () => (await pending(page)) === count, {
    timeout: SYNC_TIMEOUT,
    message: `${message}: pending ${count} (is ${await pending(page).catch(() => "?")})`,
  });
}

async function waitForScans(page, count, message) {
  await waitFor(async () => (await page.getByTestId("scan-item").count()) === count, {
    timeout: SYNC_TIMEOUT,
    message: `${message}: ${count} scans listed`,
  });
}

/** Saves a screenshot when a test fails, for the person reading CI's output. */
function screenshotOnFailure(t, pages) {
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries(pages)) {
      await page.screenshot({ path: artifactPath(`${t.name}-${name}.png`) }).catch(() => {});
    }
  });
}

/** A server and two tablets (browser contexts with a page each), all stopped after `t`. */
async function twoTablets(t) {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await tabletA.newPage();
  const b = await tabletB.newPage();
  screenshotOnFailure(t, { a, b });
  return { server, tabletA, tabletB, a, b };
}

test("a guard records offline, reloads offline, and the scans reach a second tablet live", async (t) => {
  const { server, tabletA, tabletB, a, b } = await twoTablets(t);

  await signIn(a, server.url, "guard-a");
  await signIn(b, server.url, "guard-a");
  await waitForServiceWorker(a);
  await a.getByTestId("start-scan").click();
  await b.getByTestId("start-scan").click();
  await waitFor(async () => (await linkState(a)) === "online", { message: "tablet A online" });

  await tabletA.setOffline(true);
  await waitFor(async () => (await linkState(a)) === "offline", { message: "tablet A offline" });
  await scan(a, "A-01");
  await scan(a, "a-02"); // codes are matched without regard to case
  assert.equal(await pending(a), 2);

  // An unknown code is refused and nothing is recorded.
  await a.getByTestId("scan-code").fill("Z-99");
  await a.getByTestId("scan-submit").click();
  await waitFor(async () => (await a.getByTestId("scan-result").getAttribute("data-kind")) === "error");
  assert.equal(await a.getByTestId("scan-item").count(), 2);
  assert.equal(await pending(a), 2);

  // Reload while offline: the service worker serves the app; the guard is
  // still signed in and both scans are still there, still pending.
  await a.reload();
  await a.getByTestId("user-name").waitFor();
  await a.getByTestId("start-scan").click();
  await waitForScans(a, 2, "after an offline reload");
  assert.equal(await pending(a), 2);
  assert.equal(await linkState(a), "offline");

  // Tablet B has not seen them yet.
  assert.equal(await b.getByTestId("scan-item").count(), 0);

  // Back online: the pending count drops to zero and tablet B shows the scans
  // without reloading.
  await tabletA.setOffline(false);
  await waitForPending(a, 0, "tablet A after reconnecting");
  await waitForScans(b, 2, "tablet B, pushed live");
  assert.deepEqual(await scanCodes(b), ["A-01", "A-02"]);
});

test("scans survive closing and reopening the browser offline", async (t) => {
  const server = await startServer({ t });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-profile-"));
  t.after(() => fs.rmSync(profile, { recursive: true, force: true }));
  const open = () =>
    chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

  let context = await open();
  try {
    const page = context.pages()[0] || (await context.newPage());
    await signIn(page, server.url, "guard-a");
    await waitForServiceWorker(page);
    await page.getByTestId("start-scan").click();
    await context.setOffline(true);
    await scan(page, "A-03");
    assert.equal(await pending(page), 1);
  } finally {
    await context.close();
  }

  context = await open();
  try {
    await context.setOffline(true);
    const page = context.pages()[0] || (await context.newPage());
    screenshotOnFailure(t, { reopened: page });
    await page.goto(server.url);
    await page.getByTestId("user-name").waitFor();
    await page.getByTestId("start-scan").click();
    await waitForScans(page, 1, "after reopening the browser offline");
    assert.equal(await pending(page), 1);

    await context.setOffline(false);
    await waitForPending(page, 0, "after reconnecting");
  } finally {
    await context.close();
  }
});

test("two tablets recording offline at the same time end with every scan", async (t) => {
  const { server, tabletA, tabletB, a, b } = await twoTablets(t);

  for (const page of [a, b]) {
    await signIn(page, server.url, "guard-a");
    await page.getByTestId("start-scan").click();
    await waitFor(async () => (await linkState(page)) === "online");
  }
  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await scan(a, "A-01");
  await scan(b, "A-02");
  await scan(a, "A-04");
  await scan(b, "A-04");

  await tabletA.setOffline(false);
  await tabletB.setOffline(false);
  for (const [name, page] of [["A", a], ["B", b]]) {
    await waitForPending(page, 0, `tablet ${name}`);
    await waitForScans(page, 4, `tablet ${name} after merging`);
    assert.deepEqual(await scanCodes(page), ["A-01", "A-02", "A-04", "A-04"]);
  }
});

test("a guard of zone B never sees zone A", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  screenshotOnFailure(t, { a, b });

  await signIn(a, server.url, "guard-a");
  await a.getByTestId("start-scan").click();
  await scan(a, "A-01");
  await waitForPending(a, 0, "zone A's scan stored");

  await signIn(b, server.url, "guard-b");
  const zones = await b.getByTestId("zone-card").evaluateAll((cards) =>
    cards.map((card) => card.getAttribute("data-zone")),
  );
  assert.deepEqual(zones, ["B"]);
  await b.getByTestId("start-scan").click();
  // Zone A's checkpoints are not in guard B's directory.
  await b.getByTestId("scan-code").fill("A-01");
  await b.getByTestId("scan-submit").click();
  await waitFor(async () => (await b.getByTestId("scan-result").getAttribute("data-kind")) === "error");
  await scan(b, "B-01");
  await waitForPending(b, 0, "zone B's scan stored");
  assert.deepEqual(await scanCodes(b), ["B-01"]);
});

test("two tablets that open a new day offline both keep their scans of it", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const pages = [];
  for (const name of ["A", "B"]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The tablets' clocks are faked so that midnight can come during the test.
    await page.clock.install();
    await signIn(page, server.url, "guard-a");
    await page.getByTestId("start-scan").click();
    await waitFor(async () => (await linkState(page)) === "online", { message: `tablet ${name} online` });
    pages.push({ name, context, page });
  }
  screenshotOnFailure(t, Object.fromEntries(pages.map(({ name, page }) => [name, page])));
  // A scan today, so that the switch to the new day is visible as an empty list.
  await scan(pages[0].page, "A-04");
  await waitForScans(pages[1].page, 1, "today's scan on tablet B");

  // Both go offline, then site-local midnight passes: each tablet creates the
  // new day's patrol log on its own, neither having seen the other's.
  const shanghaiNow = Date.now() + 8 * 3600_000;
  const toNextMidnight = 86_400_000 - (shanghaiNow % 86_400_000);
  for (const { context, page } of pages) {
    await context.setOffline(true);
    await waitFor(async () => (await linkState(page)) === "offline");
    await page.clock.fastForward(toNextMidnight + 10 * 60_000);
    await waitForScans(page, 0, "the new day starts empty");
  }
  await scan(pages[0].page, "A-01");
  await scan(pages[1].page, "A-02");

  for (const { context } of pages) await context.setOffline(false);
  for (const { name, page } of pages) {
    await waitForPending(page, 0, `tablet ${name}`);
    await waitForScans(page, 2, `tablet ${name} after merging the new day`);
    assert.deepEqual(await scanCodes(page), ["A-01", "A-02"]);
  }
  // The server holds the new day as one document.
  const { token } = await login(server.url, "guard-a");
  const logs = (await listDocs(server.url, token)).filter((doc) => doc.kind === "patrol_log");
  assert.equal(logs.length, 2, `today's and the new day's patrol logs: ${JSON.stringify(logs)}`);
});
