// The security patrol end to end, in headless Chromium against a real server:
// a supervisor defines a route and a schedule; an outgoing guard hands over;
// the incoming guard takes over, walks a due round by scanning QR tags with
// the (fake) rear camera, records a finding with a photo while offline and
// reconnects; the supervisor sees the round done and the photo, and no
// missed round for the window that closed before the schedule was made.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { fakeCameraArgs, photoPng, writeQrVideo } from "./fixtures.mjs";
import {
  SYNC_TIMEOUT,
  apiGet,
  artifactPath,
  launchBrowser,
  login,
  shownNumber,
  signIn,
  startServer,
  syncState,
  waitFor,
  waitForSynced,
} from "./harness.mjs";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Site time is UTC+8 (Asia/Shanghai, no daylight saving). */
const SITE_OFFSET = 8 * HOUR;

const ROUTE = "E2E 东门路线";
/** The route's checkpoints (demo zone A), in walking order. */
const STOPS = [
  { id: "cp-a-01", code: "A-01" },
  { id: "cp-a-02", code: "A-02" },
  { id: "cp-a-03", code: "A-03" },
];
const HANDOVER_NOTE = "3栋消防栓漏水，已通知工程部";

/** `HH:MM` in site time, `minutes` after site-local midnight (wrapping). */
function clock(minutes) {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** The site-local date (`YYYY-MM-DD`) of an instant. */
const siteDate = (ms) => new Date(ms + SITE_OFFSET).toISOString().slice(0, 10);

function screenshotOnFailure(t, pages) {
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries(pages)) {
      await page.screenshot({ path: artifactPath(`patrol-${name}.png`), fullPage: true }).catch(() => {});
    }
  });
}

test("route and schedule, handover, camera round, offline finding with photo, supervisor board", async (t) => {
  const server = await startServer({ t });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-patrol-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const video = path.join(dir, "tags.y4m");
  // The camera shows the route's tags out of order, again and again.
  writeQrVideo(video, [STOPS[1], STOPS[0], STOPS[2]].map((stop) => `roundbook:demo:${stop.code}`));

  const office = await launchBrowser({ t });
  const field = await launchBrowser({ t, args: fakeCameraArgs(video) });
  const supervisor = await (await office.newContext()).newPage();
  const outgoing = await (await office.newContext()).newPage();
  const guardContext = await field.newContext({ permissions: ["camera"] });
  const guard = await guardContext.newPage();
  screenshotOnFailure(t, { supervisor, outgoing, guard });

  // --- The supervisor defines a route and a schedule whose last window has passed
  // (before the schedule existed: never due) and whose current one is open:
  // fixed rounds every hour from an hour ago.
  const now = Date.now();
  const dueNow = Math.floor(now / MINUTE) * MINUTE;
  const dueBefore = dueNow - HOUR;
  const minuteOfDay = Math.floor((dueNow + SITE_OFFSET) / MINUTE) % 1440;

  await signIn(supervisor, server.url, "security");
  await supervisor.getByTestId("tab-setup").click();
  await supervisor.getByTestId("setup-zone").selectOption("A");
  await supervisor.getByTestId("route-new").click();
  await supervisor.getByTestId("route-name").fill(ROUTE);
  for (const stop of STOPS) {
    await supervisor.getByTestId("route-add-checkpoint").selectOption(stop.id);
    await supervisor.getByTestId("route-add").click();
  }
  const stops = await supervisor.getByTestId("route-stop").evaluateAll((rows) => rows.map((row) => row.dataset.code));
  assert.deepEqual(stops, STOPS.map((stop) => stop.code));
  await supervisor.getByTestId("route-save").click();
  await supervisor.locator(`[data-testid=route-row][data-route-name="${ROUTE}"]`).waitFor();

  await supervisor.getByTestId("schedule-new").click();
  const routeOption = await supervisor
    .getByTestId("schedule-route")
    .evaluate((select, name) => [...select.options].find((option) => option.text.includes(name))?.value, ROUTE);
  assert.ok(routeOption, "the new route is offered for schedules");
  await supervisor.getByTestId("schedule-route").selectOption(routeOption);
  await supervisor.getByTestId("schedule-name").fill("E2E 每小时");
  await supervisor.getByTestId("schedule-start").fill(clock(minuteOfDay - 60));
  await supervisor.getByTestId("schedule-end").fill(clock(minuteOfDay + 120));
  await supervisor.getByTestId("schedule-every").fill("60");
  await supervisor.getByTestId("schedule-tolerance").fill("15");
  await supervisor.getByTestId("schedule-round-minutes").fill("60");
  await supervisor.getByTestId("schedule-unannounced").fill("0");
  await waitFor(async () => (await supervisor.getByTestId("schedule-preview").textContent()).includes(clock(minuteOfDay)), {
    message: "the preview lists the current round time",
  });
  await supervisor.getByTestId("schedule-save").click();
  await waitFor(
    async () => (await supervisor.getByTestId("schedule-row").allTextContents()).some((text) => text.includes("E2E 每小时")),
    { message: "schedule listed" },
  );
  await waitForSynced(supervisor, "supervisor's setup");

  // --- The outgoing guard's shift ends with a handover note.
  await signIn(outgoing, server.url, "guard-a2");
  await outgoing.getByTestId("shift-start").click();
  await outgoing.getByTestId("shift-on-duty").waitFor();
  await outgoing.getByTestId("shift-end").click();
  await outgoing.getByTestId("handover-note").fill(HANDOVER_NOTE);
  await outgoing.getByTestId("handover-submit").click();
  await waitForSynced(outgoing, "outgoing guard's handover");
  // Their own tablet waits for the next guard: it offers no takeover.
  await outgoing.getByTestId("shift-handed-over").waitFor();
  assert.equal(await outgoing.getByTestId("handover-confirm").count(), 0, "a guard cannot take over from himself");

  // --- The incoming guard reads and confirms it, then starts the round due now.
  await signIn(guard, server.url, "guard-a");
  await guard.getByTestId("handover-pending").waitFor({ timeout: SYNC_TIMEOUT });
  assert.match(await guard.getByTestId("handover-note-text").textContent(), /消防栓漏水/);
  await guard.getByTestId("handover-confirm").click();
  await guard.getByTestId("shift-on-duty").waitFor();
  const due = guard.locator(`[data-testid=due-round][data-due="${dueNow}"]`).filter({ hasText: ROUTE });
  await due.waitFor({ timeout: SYNC_TIMEOUT });
  await due.getByTestId("due-round-start").click();
  await guard.getByTestId("round-screen").waitFor();
  assert.equal(await shownNumber(guard, "round-left-count"), STOPS.length);

  // A checkpoint that is not on the round is refused and records nothing.
  await guard.getByTestId("scan-code").fill("A-04");
  await guard.getByTestId("scan-submit").click();
  await waitFor(async () => (await guard.getByTestId("scan-result").getAttribute("data-kind")) === "error", {
    message: "A-04 refused",
  });
  assert.equal(await shownNumber(guard, "round-left-count"), STOPS.length);

  // The camera reads the tags in whatever order they come.
  await guard.getByTestId("camera-start").click();
  await guard.getByTestId("camera-view").waitFor();
  await waitFor(async () => (await shownNumber(guard, "round-left-count")) === 0, {
    timeout: 30_000,
    message: "every checkpoint scanned by camera",
  });
  // The confirmation is in sight where the guard aims the camera, not below the fold.
  const shown = await guard.getByTestId("scan-result").boundingBox();
  const screen = guard.viewportSize();
  assert.ok(shown && shown.y >= 0 && shown.y + shown.height <= screen.height, `scan confirmation on screen: ${JSON.stringify(shown)}`);
  const states = await guard.getByTestId("round-checkpoint").evaluateAll((rows) => rows.map((row) => row.dataset.state));
  assert.deepEqual(states, ["scanned", "scanned", "scanned"]);
  const decodeMs = Number(await guard.getByTestId("camera-view").getAttribute("data-decode-ms"));
  if (await guard.getByTestId("camera-stop").isVisible()) await guard.getByTestId("camera-stop").click();

  // A second scan of a checkpoint is refused.
  await guard.getByTestId("scan-code").fill("a-01");
  await guard.getByTestId("scan-submit").click();
  await waitFor(async () => (await guard.getByTestId("scan-result").getAttribute("data-kind")) === "error", {
    message: "second scan of A-01 refused",
  });

  // --- Offline: a finding with a photo.
  await waitForSynced(guard, "the round");
  await guardContext.setOffline(true);
  await waitFor(async () => (await syncState(guard)) === "offline", { message: "guard offline" });
  await guard.getByTestId("finding-new").click();
  const repairBox = await guard.getByTestId("finding-needs-repair").boundingBox();
  assert.ok(repairBox.width >= 44 && repairBox.height >= 44, `a 44 px touch target: ${JSON.stringify(repairBox)}`);
  await guard.getByTestId("finding-kind").selectOption("fire_equipment");
  await guard.getByTestId("finding-severity").selectOption("high");
  await guard.getByTestId("finding-note").fill("2栋一楼灭火器压力不足");
  const where = await guard
    .getByTestId("finding-checkpoint")
    .locator("option")
    .evaluateAll((options) => options.find((option) => option.textContent.startsWith("A-02"))?.value);
  assert.ok(where, "the zone's checkpoints are offered");
  await guard.getByTestId("finding-checkpoint").selectOption(where);
  const photo = photoPng();
  await guard.getByTestId("finding-photo-input").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: photo });
  const thumb = guard.getByTestId("finding-photo-thumb");
  await thumb.waitFor({ timeout: SYNC_TIMEOUT });
  const originalBytes = Number(await thumb.getAttribute("data-original-bytes"));
  const storedBytes = Number(await thumb.getAttribute("data-stored-bytes"));
  assert.equal(originalBytes, photo.length);
  assert.ok(storedBytes > 0 && storedBytes < originalBytes / 4, `downscaled: ${storedBytes} of ${originalBytes} bytes`);
  await guard.getByTestId("finding-save").click();
  await guard.getByTestId("finding-item").first().waitFor();
  assert.ok((await shownNumber(guard, "sync-pending")) > 0, "the finding waits for the server");
  assert.equal(await shownNumber(guard, "sync-photos-pending"), 1, "the photo waits for the server");

  await guardContext.setOffline(false);
  await waitForSynced(guard, "guard back online");

  // --- The supervisor's board: the round done by 王强, its finding with the
  // photo (downloaded from the server), and the hour-old window missed.
  await supervisor.getByTestId("tab-board").click();
  const board = supervisor.getByTestId("rounds-board");
  await board.waitFor();
  const zoneA = board.locator("[data-testid=board-zone][data-zone=A]");
  const done = zoneA.locator(`[data-testid=board-round][data-due="${dueNow}"][data-route="${ROUTE}"]`);
  await waitFor(async () => (await done.getAttribute("data-status")) === "done", {
    timeout: SYNC_TIMEOUT,
    message: "round done on the board",
  });
  assert.match(await done.getByTestId("board-round-guard").textContent(), /王强/);
  const finding = zoneA.locator("[data-testid=board-finding][data-kind=fire_equipment]");
  await finding.waitFor({ timeout: SYNC_TIMEOUT });
  assert.equal(await finding.getAttribute("data-checkpoint"), "A-02", "where it was found");
  await waitFor(async () => (await finding.getByTestId("photo").getAttribute("data-state")) === "loaded", {
    timeout: SYNC_TIMEOUT,
    message: "photo shown on the supervisor's tablet",
  });

  // The hour-old window closed before the schedule was made: that round was
  // never due, so it is not on the board (and not missed).
  const beforeSchedule = zoneA.locator(`[data-testid=board-round][data-due="${dueBefore}"][data-route="${ROUTE}"]`);
  assert.equal(await beforeSchedule.count(), 0, "a round due before its schedule existed is not counted");

  // --- The server's report agrees.
  const { token } = await login(server.url, "security");
  const report = await apiGet(server.url, `/api/reports/patrol?date=${siteDate(dueNow)}`, token);
  const rounds = report.zones.find((zone) => zone.zone === "A").rounds;
  const reported = rounds.find((round) => round.due_at === dueNow && round.route_name === ROUTE);
  assert.equal(reported?.status, "done");
  assert.ok(!rounds.some((round) => round.due_at === dueBefore && round.route_name === ROUTE), "nor in the report");
  assert.equal(report.zones.find((zone) => zone.zone === "A").findings_by_kind.fire_equipment, 1);

  console.log(
    `figure: camera frame decode ${decodeMs} ms; photo ${originalBytes} bytes -> ${storedBytes} bytes after downscaling`,
  );
});
