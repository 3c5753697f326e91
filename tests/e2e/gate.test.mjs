// The gate book (issue #17, visitors and vehicles): two gate tablets
// offline let a visitor and a vehicle in (bad forms refused, a plate inside
// refused a second entry), both see both once online, and the visitor let in
// at one gate is let out at the other, offline.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as e2e from "./harness.mjs";

const VISITOR = "E2E 赵访客";
const PLATE = "粤B88888";

/** The entry of `label` (a visitor's name or a plate) on `page`. */
const entryOf = (page, label) => page.locator(`[data-testid=gate-entry][data-label="${label}"]`);
const gateData = (page, name) => page.getByTestId("gate").getAttribute(`data-${name}`);

async function offline(context, page, name) {
  await context.setOffline(true);
  await e2e.waitFor(async () => (await e2e.syncState(page)) === "offline", { message: `${name} offline` });
}

test("two gate tablets offline let a visitor and a vehicle in, and one lets the other's visitor out", async (t) => {
  const server = await e2e.startServer({ t });
  const browser = await e2e.launchBrowser({ t });
  const eastContext = await browser.newContext();
  const westContext = await browser.newContext();
  const east = await eastContext.newPage();
  const west = await westContext.newPage();
  t.after(async () => {
    if (t.passed !== false) return;
    for (const [name, page] of Object.entries({ east, west })) {
      await page.screenshot({ path: e2e.artifactPath(`gate-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  for (const [page, user] of [[east, "guard-a"], [west, "guard-b"]]) {
    await e2e.signIn(page, server.url, user);
    await e2e.openTab(page, "gate");
    await e2e.waitForSynced(page, `${user}'s first sync`);
  }
  const entriesBefore = Number(await gateData(east, "entries"));
  const peopleBefore = Number(await gateData(east, "people-inside"));
  await offline(eastContext, east, "east gate");
  await offline(westContext, west, "west gate");

  // East: a whole identity number is refused; its last four are kept.
  await east.getByTestId("gate-visitor-open").click();
  await east.getByTestId("gate-visitor-name").fill(VISITOR);
  await east.getByTestId("gate-visitor-unit").fill("1栋101");
  await east.getByTestId("gate-visitor-purpose").fill("探亲");
  await east.getByTestId("gate-visitor-people").fill("3");
  await east.getByTestId("gate-visitor-id").fill("1990");
  await east.getByTestId("gate-visitor-name").fill("");
  await east.getByTestId("gate-visitor-confirm").click();
  assert.match(await east.getByTestId("gate-error").textContent(), /姓名/);
  await east.getByTestId("gate-visitor-name").fill(VISITOR);
  await east.getByTestId("gate-visitor-id").fill("12x");
  await east.getByTestId("gate-visitor-confirm").click();
  assert.match(await east.getByTestId("gate-error").textContent(), /后四位/);
  await east.getByTestId("gate-visitor-id").fill("123x");
  await east.getByTestId("gate-visitor-confirm").click();
  await entryOf(east, VISITOR).waitFor();
  assert.match(await entryOf(east, VISITOR).textContent(), /证件尾号 123X/);
  assert.equal(Number(await gateData(east, "people-inside")), peopleBefore + 3);

  // West: a plate that is not a plate is refused; a real one goes in once.
  await west.getByTestId("gate-vehicle-open").click();
  await west.getByTestId("gate-vehicle-plate").fill("ABC123");
  await west.getByTestId("gate-vehicle-confirm").click();
  assert.match(await west.getByTestId("gate-vehicle-error").textContent(), /车牌号格式不对/);
  await west.getByTestId("gate-vehicle-plate").fill("粤b 88888");
  await west.getByTestId("gate-vehicle-unit").fill("2栋302");
  await west.getByTestId("gate-vehicle-confirm").click();
  await entryOf(west, PLATE).waitFor();
  await west.getByTestId("gate-vehicle-open").click();
  await west.getByTestId("gate-vehicle-plate").fill(PLATE);
  await west.getByTestId("gate-vehicle-confirm").click();
  assert.match(await west.getByTestId("gate-vehicle-error").textContent(), /已在场内/);
  await west.getByTestId("gate-vehicle-form").getByRole("button", { name: "取消" }).click();
  assert.equal(await entryOf(west, PLATE).count(), 1);

  // Online, both gates hold both entries.
  await eastContext.setOffline(false);
  await westContext.setOffline(false);
  for (const [page, name] of [[east, "east"], [west, "west"]]) {
    await e2e.waitFor(async () => Number(await gateData(page, "entries")) === entriesBefore + 2, {
      timeout: e2e.SYNC_TIMEOUT,
      message: `${name} holds both entries`,
    });
  }
  await entryOf(west, VISITOR).waitFor();
  await entryOf(east, PLATE).waitFor();

  // West lets east's visitor out, offline; east sees them gone once it uploads.
  await offline(westContext, west, "west gate again");
  await entryOf(west, VISITOR).getByTestId("gate-out").click();
  await e2e.waitFor(async () => (await entryOf(west, VISITOR).count()) === 0, {
    message: "the visitor leaves west's list of those inside",
  });
  await west.getByTestId("gate-view").selectOption("week");
  assert.equal(await entryOf(west, VISITOR).getAttribute("data-inside"), "false");
  await westContext.setOffline(false);
  await e2e.waitForSynced(west, "the exit uploads");
  await e2e.waitFor(async () => (await entryOf(east, VISITOR).count()) === 0, {
    timeout: e2e.SYNC_TIMEOUT,
    message: "east sees the visitor gone",
  });
  assert.equal(Number(await gateData(east, "people-inside")), peopleBefore);
  // Tonight's handover still lists the vehicle inside.
  await east.getByTestId("gate-view").selectOption("tonight");
  assert.equal(await entryOf(east, PLATE).getAttribute("data-inside"), "true");
});
