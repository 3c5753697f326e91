// Administration end to end, in headless Chromium against a real server: the
// office head creates a zone and a guard and issues a sign-in QR code; a
// second tablet signs in by scanning it with the (fake) camera and records
// scans, one of them offline; the head moves the guard to the new zone and
// disables them; back online, the tablet uploads the pending scan, forgets
// the guard's data and shows sign-in; both scans are on the server.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { fakeCameraArgs, writeQrVideo } from "./fixtures.mjs";
// One namespace for the harness: this test uses most of it.
import * as e2e from "./harness.mjs";
import { RawPeer } from "./raw-peer.mjs";

/** 20:05 yesterday, site time: the night shift's 20:00 round is due. */
const EVENING = e2e.siteInstant(20, 5, -1);
const GUARD = "guard-e2e";

/** The head's row of a staff member. */
const staffRow = (page, username) => page.locator(`[data-testid=admin-staff-row][data-username="${username}"]`);

/** Opens a staff member's edit form, sets their zones, saves. */
async function moveToZones(head, username, zones) {
  const row = staffRow(head, username);
  await row.getByTestId("admin-staff-edit").click();
  const form = row.getByTestId("admin-staff-form");
  for (const box of await form.locator("[data-testid^=admin-zone-]").all()) {
    const code = (await box.getAttribute("data-testid")).slice("admin-zone-".length);
    await box.setChecked(zones.includes(code));
  }
  await form.getByTestId("admin-staff-save").click();
  await form.waitFor({ state: "detached" });
}

test("a guard signed in by QR code, moved and disabled, keeps every scan made before", async (t) => {
  const server = await e2e.startServer({ t });
  const office = await e2e.launchBrowser({ t });
  const head = await (await office.newContext()).newPage();
  t.after(async () => {
    if (t.passed === false) await head.screenshot({ path: e2e.artifactPath(`${t.name}-head.png`) }).catch(() => {});
  });
  await e2e.signIn(head, server.url, "head");
  await e2e.openTab(head, "admin");

  // A new zone.
  await head.getByTestId("admin-section-zones").click();
  await head.getByTestId("admin-zone-code").fill("E");
  await head.getByTestId("admin-zone-name").fill("E区 新苑");
  await head.getByTestId("admin-zone-create").click();
  await head.locator("[data-testid=admin-zone-row][data-code=E]").waitFor();

  // A guard of zone A, and a sign-in QR code for their tablet.
  await head.getByTestId("admin-section-staff").click();
  await head.getByTestId("admin-staff-new").click();
  const form = head.getByTestId("admin-staff-form");
  await form.getByTestId("admin-staff-name").fill("孙浩");
  await form.getByTestId("admin-staff-username").fill(GUARD);
  await form.getByTestId("admin-role-guard").check();
  await form.getByTestId("admin-zone-A").check();
  await form.getByTestId("admin-staff-save").click();
  await head.getByTestId("admin-one-time-password").waitFor();
  await staffRow(head, GUARD).getByTestId("admin-staff-code").click();
  const payload = await head.getByTestId("admin-sign-in-qr").getAttribute("data-payload");
  assert.match(payload, /^roundbook-sign-in:\S+$/);

  // The guard's tablet signs in by scanning it, without typing.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-admin-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const video = path.join(dir, "sign-in.y4m");
  writeQrVideo(video, [payload]);
  const field = await e2e.launchBrowser({ t, args: fakeCameraArgs(video) });
  const context = await field.newContext({ permissions: ["camera"] });
  const tablet = await context.newPage();
  t.after(async () => {
    if (t.passed === false) await tablet.screenshot({ path: e2e.artifactPath(`${t.name}-tablet.png`) }).catch(() => {});
  });
  await tablet.clock.install({ time: EVENING });
  await tablet.goto(server.url);
  const scanStarted = Date.now();
  await tablet.getByTestId("signin-scan").click();
  await tablet.getByTestId("user-name").waitFor({ timeout: e2e.SYNC_TIMEOUT });
  console.log(`sign-in by QR code: ${Date.now() - scanStarted} ms from the scan button to the home screen`);
  assert.equal((await tablet.getByTestId("user-name").textContent()).trim(), "孙浩");

  // On a round: one scan synced, one made offline.
  await e2e.startShift(tablet);
  await e2e.startRound(tablet);
  await e2e.scanOnRound(tablet, "A-01");
  await e2e.waitForPending(tablet, 0, "the first scan reached the server");
  await context.setOffline(true);
  await e2e.scanOnRound(tablet, "A-02");
  assert.ok((await e2e.pending(tablet)) > 0, "the offline scan waits on the tablet");
  assert.ok((await e2e.storedChunks(tablet)) > 0, "the guard's documents are on the tablet");

  // The head sees the tablet, moves the guard to zone E, then disables them.
  await head.getByTestId("admin-staff-refresh").click();
  await staffRow(head, GUARD).getByTestId("admin-device").first().waitFor();
  await moveToZones(head, GUARD, ["E"]);
  const row = staffRow(head, GUARD);
  await row.getByTestId("admin-staff-disable").click();
  await row.getByTestId("admin-staff-disable-confirm").click();
  await head.locator(`[data-testid=admin-staff-row][data-username="${GUARD}"][data-disabled=true]`).waitFor();

  // Back online, the tablet uploads what it holds, forgets the guard, and
  // shows sign-in with the reason.
  await context.setOffline(false);
  await tablet.getByTestId("signin-notice").waitFor({ timeout: 3 * e2e.SYNC_TIMEOUT });
  assert.match(await tablet.getByTestId("signin-notice").textContent(), /退出登录/);
  await tablet.getByTestId("signin-username").waitFor();
  assert.equal(await e2e.storedChunks(tablet), 0, "nobody else used the tablet: all of it is forgotten");

  // Both scans are on the server, in the guard's name.
  const { token } = await e2e.login(server.url, "security");
  const day = new Date(EVENING + 8 * 3600_000).toISOString().slice(0, 10);
  const log = (await e2e.listDocs(server.url, token)).find(
    (doc) => doc.kind === "patrol_log" && doc.zone === "A" && doc.period === day,
  );
  assert.ok(log, `zone A's patrol log of ${day} is listed`);
  const peer = await RawPeer.connect(server, token);
  t.after(() => peer.close());
  const guardsScans = (doc) =>
    Object.values(doc.scans ?? {})
      .filter((scan) => String(scan.guard) === GUARD)
      .map((scan) => String(scan.checkpoint_id))
      .sort();
  const doc = await peer.fetch(log.document_id, (doc) => guardsScans(doc).length === 2);
  assert.deepEqual(guardsScans(doc), ["cp-a-01", "cp-a-02"]);

  // The audit trail has it all, in order.
  await head.getByTestId("admin-section-audit").click();
  await e2e.waitFor(async () => (await head.getByTestId("admin-audit-entry").count()) >= 4, {
    message: "the audit entries",
  });
  const actions = await head
    .getByTestId("admin-audit-entry")
    .evaluateAll((entries) => entries.map((entry) => entry.dataset.action));
  for (const action of ["zone_created", "staff_created", "sign_in_code_issued", "staff_changed", "staff_disabled"]) {
    assert.ok(actions.includes(action), `${action} in ${actions}`);
  }
});
