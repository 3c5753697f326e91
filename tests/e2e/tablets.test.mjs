// Two tablets in headless Chromium against a real server: recording offline,
// reloading and restarting the browser offline, reconnecting with live push,
// concurrent offline edits, and zone isolation. Scans are made the way a
// guard makes them: on duty, on a round due now, by typing the code.
//
// The tablets' clocks are set to a site time when a demo round is due
// (`siteInstant`), so the tests do not depend on the time they run at.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { chromium } from "playwright-core";

import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  artifactPath,
  checkpointsLeft,
  continueRound,
  launchBrowser,
  listDocs,
  login,
  pending,
  scanOnRound,
  scanRefused,
  signIn,
  siteInstant,
  startRound,
  startServer,
  startShift,
  waitFor,
  waitForPending,
  waitForServiceWorker,
} from "./harness.mjs";

/** 20:05 yesterday, site time: the night shift's 20:00 round is due. */
const EVENING = siteInstant(20, 5, -1);

const SYNC_TIMEOUT = 15_000;

/** Signs in through the sign-in screen and waits for the home screen. */

const linkState = (page) => page.getByTestId("sync-online").getAttribute("data-state");
/** Today's scans of the zone as the on-duty screen lists them, by code. */
const scanCodes = (page) => page.getByTestId("scan-item").evaluateAll((items) =>
  items.map((item) => item.querySelector("[data-testid=scan-item-code]")?.textContent?.trim()).sort(),
);
/** The checkpoints of the open round and whether each was scanned. */
const roundStates = (page) => page.getByTestId("round-checkpoint").evaluateAll((rows) =>
  Object.fromEntries(rows.map((row) => [row.dataset.code, row.dataset.state])),
);

async function waitForScans(page, count, message) {
  await waitFor(async () => (await page.getByTestId("scan-item").count()) === count, {
    timeout: SYNC_TIMEOUT,
    message: `${message}: ${count} scans listed`,
  });
}

/** Leaves the round screen for the on-duty screen, which lists today's scans. */
async function backToDuty(page) {
  await page.getByTestId("round-back").click();
  await page.getByTestId("shift-on-duty").waitFor();
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

/** A server and two tablets (browser contexts with a page each, clocks at `time`), all stopped after `t`. */
async function twoTablets(t, time = EVENING) {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await tabletA.newPage();
  const b = await tabletB.newPage();
  for (const page of [a, b]) await page.clock.install({ time });
  screenshotOnFailure(t, { a, b });
  return { server, tabletA, tabletB, a, b };
}

/** Signs guard-a in on two tablets: A starts the shift, B (the same guard) sees it and is on duty too. */
async function onDutyOnBoth(server, a, b) {
  await signIn(a, server.url, "guard-a");
  await startShift(a);
  await waitForPending(a, 0, "the shift reached the server");
  await signIn(b, server.url, "guard-a");
  await b.getByTestId("shift-on-duty").waitFor({ timeout: SYNC_TIMEOUT });
  for (const page of [a, b]) {
    await waitFor(async () => (await linkState(page)) === "online", { message: "tablet online" });
  }
}

test("a guard records offline, reloads offline, and the scans reach a second tablet live", async (t) => {
  const { server, tabletA, a, b } = await twoTablets(t);
  await onDutyOnBoth(server, a, b);
  await waitForServiceWorker(a);
  await startRound(a);
  assert.equal(await checkpointsLeft(a), 4);
  await waitForPending(a, 0, "the round reached the server");

  await tabletA.setOffline(true);
  await waitFor(async () => (await linkState(a)) === "offline", { message: "tablet A offline" });
  await scanOnRound(a, "A-01");
  await scanOnRound(a, "a-02"); // codes are matched without regard to case
  assert.equal(await pending(a), 2);

  // An unknown code and a second scan are refused, and nothing is recorded.
  await scanRefused(a, "Z-99");
  assert.match(await scanRefused(a, "A-01"), /已巡过/);
  assert.equal(await pending(a), 2);

  // Reload while offline: the service worker serves the app; the guard is
  // still signed in and on duty, the round is still under way with both
  // scans, still pending.
  await a.reload();
  await a.getByTestId("user-name").waitFor();
  await continueRound(a);
  await waitFor(async () => (await checkpointsLeft(a)) === 2, { message: "two checkpoints left after the reload" });
  assert.deepEqual(await roundStates(a), { "A-01": "scanned", "A-02": "scanned", "A-03": "left", "A-04": "left" });
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
  const open = async (time) => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    });
    await context.clock.install({ time });
    return context;
  };

  let context = await open(EVENING);
  try {
    const page = context.pages()[0] || (await context.newPage());
    await signIn(page, server.url, "guard-a");
    await waitForServiceWorker(page);
    await startShift(page);
    await startRound(page);
    await waitForPending(page, 0, "shift and round on the server");
    await context.setOffline(true);
    await scanOnRound(page, "A-03");
    assert.equal(await pending(page), 1);
  } finally {
    await context.close();
  }

  context = await open(EVENING + 5 * 60_000);
  try {
    await context.setOffline(true);
    const page = context.pages()[0] || (await context.newPage());
    screenshotOnFailure(t, { reopened: page });
    await page.goto(server.url);
    await page.getByTestId("user-name").waitFor();
    await continueRound(page);
    await waitFor(async () => (await roundStates(page))["A-03"] === "scanned", {
      message: "A-03 scanned after reopening the browser offline",
    });
    assert.equal(await pending(page), 1);

    await context.setOffline(false);
    await waitForPending(page, 0, "after reconnecting");
  } finally {
    await context.close();
  }
});

test("two tablets recording offline at the same time end with every scan", async (t) => {
  const { server, tabletA, tabletB, a, b } = await twoTablets(t);
  await onDutyOnBoth(server, a, b);
  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  // Neither sees the other's round: both start the one due now.
  await startRound(a);
  await startRound(b);
  await scanOnRound(a, "A-01");
  await scanOnRound(b, "A-02");
  await scanOnRound(a, "A-04");
  await scanOnRound(b, "A-04");
  await backToDuty(a);
  await backToDuty(b);

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
  for (const page of [a, b]) await page.clock.install({ time: EVENING });
  screenshotOnFailure(t, { a, b });

  await signIn(a, server.url, "guard-a");
  await startShift(a);
  await startRound(a);
  await scanOnRound(a, "A-01");
  await waitForPending(a, 0, "zone A's scan stored");

  await signIn(b, server.url, "guard-b");
  await startShift(b);
  const zones = await b.getByTestId("zone-card").evaluateAll((cards) =>
    cards.map((card) => card.getAttribute("data-zone")),
  );
  assert.deepEqual(zones, ["B"]);
  await startRound(b);
  // Zone A's checkpoints are not in guard B's directory, nor on B's round.
  assert.deepEqual(Object.keys(await roundStates(b)).sort(), ["B-01", "B-02", "B-03", "B-04"]);
  await scanRefused(b, "A-01");
  await scanOnRound(b, "B-01");
  await waitForPending(b, 0, "zone B's scan stored");
  await backToDuty(b);
  assert.deepEqual(await scanCodes(b), ["B-01"]);
});

test("two tablets that open a new day offline both keep their scans of it", async (t) => {
  // 23:50 yesterday: the midnight round's window (23:45-00:15) is open.
  const { server, tabletA, tabletB, a, b } = await twoTablets(t, siteInstant(23, 50, -1));
  const pages = [
    { name: "A", context: tabletA, page: a },
    { name: "B", context: tabletB, page: b },
  ];
  await onDutyOnBoth(server, a, b);
  // A scan before midnight, so that the switch to the new day is visible as an empty list.
  await startRound(a);
  await scanOnRound(a, "A-04");
  await backToDuty(a);
  await waitForPending(a, 0, "the evening round stored");
  await waitForScans(b, 1, "the evening scan on tablet B");

  // Both go offline, then site-local midnight passes: each tablet creates the
  // new day's patrol log on its own, neither having seen the other's.
  for (const { context, page } of pages) {
    await context.setOffline(true);
    await waitFor(async () => (await linkState(page)) === "offline");
    await page.clock.fastForward(20 * 60_000);
    await waitForScans(page, 0, "the new day starts empty");
  }
  // The midnight round is under way (tablet A's): each tablet starts an
  // unannounced round of the same night shift, in the new day's log.
  await startRound(a, { due: "unannounced" });
  await startRound(b, { due: "unannounced" });
  await scanOnRound(a, "A-01");
  await scanOnRound(b, "A-02");
  await backToDuty(a);
  await backToDuty(b);

  for (const { context } of pages) await context.setOffline(false);
  for (const { name, page } of pages) {
    await waitForPending(page, 0, `tablet ${name}`);
    await waitForScans(page, 2, `tablet ${name} after merging the new day`);
    assert.deepEqual(await scanCodes(page), ["A-01", "A-02"]);
  }
  // The server holds each day as one document, the new day among them.
  const newDay = new Date(siteInstant(0, 10, 0) + 8 * 3600_000).toISOString().slice(0, 10);
  const { token } = await login(server.url, "guard-a");
  const periods = (await listDocs(server.url, token))
    .filter((doc) => doc.kind === "patrol_log")
    .map((doc) => doc.period);
  assert.equal(new Set(periods).size, periods.length, `one document per day: ${periods}`);
  assert.ok(periods.includes(newDay), `the new day ${newDay} is on the server: ${periods}`);
});
