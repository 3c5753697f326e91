// An upgrade under a tablet (issue #21): a tablet on build A records offline;
// the server is replaced by build B; the tablet comes online, uploads its
// pending records, is offered the update, and reloads into B with no record
// lost and the unsaved text of an open form kept. Meanwhile a second page
// still on A records a scan that B brings to its document rules before
// offering it, and keeps A's files until it closes.
//
// Build B is the same source built with the test-only feature
// `upgrade-test-b` (document rules 2, one tablet-side migration step) and
// its own build name: scripts/build-upgrade-b, which scripts/test runs.
// Environment: ROUNDBOOK_UPGRADE_B (default $CARGO_TARGET_DIR/upgrade-b,
// holding dist/ and roundbook-server).

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

const B_DIR =
  process.env.ROUNDBOOK_UPGRADE_B ||
  path.join(process.env.CARGO_TARGET_DIR || path.join(os.homedir(), ".cache/roundbook/target"), "upgrade-b");
const BUILD_B = { bin: path.join(B_DIR, "roundbook-server"), dist: path.join(B_DIR, "dist") };

/** 20:05 yesterday, site time: the night shift's 20:00 round is due. */
const EVENING = e2e.siteInstant(20, 5, -1);
const siteDate = (ms) => new Date(ms + e2e.SITE_OFFSET_MS).toISOString().slice(0, 10);

const UNSAVED = "3号楼电梯异响，待补充 / lift 3 rattles, to be completed";

const version = (dist) => fs.readFileSync(path.join(dist, "build-version"), "utf8").trim();
/** The version of the files the page runs (index.html's stamp). */
const pageVersion = (page) => page.locator("meta[name=roundbook-build]").getAttribute("content");
const appBuild = (page) => page.evaluate(() => document.documentElement.dataset.appBuild);
const shellCaches = (page) =>
  page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith("roundbook-shell-")).sort());


test("a tablet on build A records offline, the server becomes build B, and the tablet reloads into B losing nothing", async (t) => {
  for (const file of [BUILD_B.bin, path.join(BUILD_B.dist, "build-version")]) {
    assert.ok(fs.existsSync(file), `${file} missing: run scripts/build-upgrade-b (scripts/test does)`);
  }
  const [versionA, versionB] = [version(e2e.DIST), version(BUILD_B.dist)];
  assert.notEqual(versionA, versionB, "builds A and B have the same files");

  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const tablet = await browser.newContext();
  const page = await tablet.newPage();
  await page.clock.install({ time: EVENING });
  t.after(async () => {
    if (t.passed === false) await page.screenshot({ path: e2e.artifactPath("upgrade-tablet.png") }).catch(() => {});
  });

  // --- Build A: on duty, the service worker in charge, a round under way.
  await e2e.signIn(page, server.url, "guard-a");
  await e2e.startShift(page);
  await e2e.waitForServiceWorker(page);
  assert.equal(await pageVersion(page), versionA);
  const buildA = await appBuild(page);
  const roundId = await e2e.startRound(page);
  await e2e.waitForPending(page, 0, "the round reached the server");

  // A second page of the same tablet, also on A, that stays open throughout.
  const other = await tablet.newPage();
  await other.clock.install({ time: EVENING });
  await other.goto(server.url);
  await other.getByTestId("user-name").waitFor();
  await e2e.waitForServiceWorker(other);

  // --- Offline: two scans, then a request typed but not saved.
  await tablet.setOffline(true);
  await e2e.scanOnRound(page, "A-01");
  await e2e.scanOnRound(page, "A-02");
  assert.equal(await e2e.pending(page), 2);
  await page.getByTestId("tab-requests").click();
  await page.getByTestId("request-new").click();
  await page.getByTestId("request-description").fill(UNSAVED);
  // Marks this page: a reload would lose the mark.
  await page.evaluate(() => {
    window.stillTheSamePage = true;
  });

  // --- The server is replaced by build B (same database, same address).
  await server.replace(BUILD_B);
  await tablet.setOffline(false);

  // The tablet uploads what it recorded, under A: B accepts A's rules.
  await e2e.waitForPending(page, 0, "the offline scans reached build B", { timeout: 30_000 });
  // B is installed in the background and offered; nothing reloads by itself.
  await page.getByTestId("update-banner").waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, "the page reloaded by itself");
  assert.equal(await page.getByTestId("request-description").inputValue(), UNSAVED);
  assert.equal(await appBuild(page), buildA);
  assert.deepEqual(await shellCaches(page), [`roundbook-shell-${versionA}`, `roundbook-shell-${versionB}`].sort());

  // Offline again, the other page (still on A) records a third scan: it is
  // pending when this page reloads into B, which brings it to B's document
  // rules before offering it (shared::upgrade: B's step writes `rules`).
  const migrations = [];
  page.on("console", (message) => {
    if (message.text().includes("brought to rules 2")) migrations.push(message.text());
  });
  await tablet.setOffline(true);
  await e2e.continueRound(other);
  await e2e.scanOnRound(other, "A-03");

  // --- The user accepts: the page reloads into B, offline, from its cache.
  await page.getByTestId("update-reload").click();
  await e2e.waitFor(async () => (await pageVersion(page).catch(() => null)) === versionB, {
    timeout: 30_000,
    message: "the page runs build B's files",
  });
  await page.getByTestId("user-name").waitFor();
  const buildB = await appBuild(page);
  assert.notEqual(buildB, buildA);
  assert.equal(buildB, "upgrade-test-b");
  assert.equal(await page.evaluate(() => window.stillTheSamePage), undefined);

  // The request form's unsaved text is back: the tab reopens by itself, the
  // text when the form is opened again.
  await e2e.waitFor(async () => (await page.getByTestId("tab-requests").getAttribute("aria-selected")) === "true", {
    message: "the requests tab open again",
  });
  await page.getByTestId("request-new").click();
  await e2e.waitFor(async () => (await page.getByTestId("request-description").inputValue()) === UNSAVED, {
    message: "the unsaved request text restored",
  });
  await e2e.waitFor(() => migrations.length > 0, { message: "the pending scan brought to rules 2 under B" });

  // No record lost: online, nothing pending, the three scans on the server and the tablet.
  await tablet.setOffline(false);
  await e2e.waitForPending(page, 0, "nothing pending under B", { timeout: 30_000 });
  const { token } = await e2e.login(server.url, "security");
  await e2e.waitFor(
    async () => {
      const report = await e2e.apiGet(server.url, `/api/reports/patrol?date=${siteDate(EVENING)}`, token);
      const round = report.zones
        .find((zone) => zone.zone === "A")
        .rounds.find((outcome) => outcome.progress?.round_id === roundId);
      // The report names checkpoints by id.
      return [...round.progress.scanned].sort().join() === "cp-a-01,cp-a-02,cp-a-03";
    },
    { message: "the three scans in the server's report" },
  );
  await page.getByTestId("tab-patrol").click();
  await page.getByTestId("shift-on-duty").waitFor();
  await e2e.waitFor(async () => (await page.getByTestId("scan-item").count()) === 3, {
    message: "the three scans listed under B",
  });

  // --- The page still on A keeps A's files while it is open (the server
  // has only B's now); they go once it closes.
  assert.equal(await pageVersion(other), versionA);
  await other.getByTestId("update-banner").waitFor({ timeout: 15_000 });
  assert.ok((await shellCaches(page)).includes(`roundbook-shell-${versionA}`), "A's files deleted under an open A page");
  const stillServed = await other.evaluate(
    async (v) => (await fetch(`/app/${v}/roundbook_bg.wasm`)).status,
    versionA,
  );
  assert.equal(stillServed, 200);
  assert.equal((await fetch(`${server.url}/app/${versionA}/roundbook_bg.wasm`)).status, 404);
  await other.close();
  await page.reload();
  await page.getByTestId("user-name").waitFor();
  await e2e.waitFor(async () => (await shellCaches(page)).join() === `roundbook-shell-${versionB}`, {
    message: async () => `only B's files cached once no page runs A (${await shellCaches(page)})`,
  });
});
