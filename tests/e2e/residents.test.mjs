// The resident directory and household visits end to end, in headless
// Chromium against a real server: the demo's directory is there with its
// relations in Chinese; the template downloads as UTF-8 with a byte-order
// mark and imports; a GBK file as Excel on Chinese Windows saves it imports,
// a file in neither encoding is refused with its own message; a CSV file with
// bad rows is refused row by row and nothing is imported; the corrected file
// imports every row; a visit raises a linked request in one step and the form
// is cleared after each save; the visit list shows the date; the month's
// count and the units not visited this quarter follow; a guard's tablet
// never receives the directory.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import {
  artifactPath,
  launchBrowser,
  listDocs,
  login,
  signIn,
  SITE_OFFSET_MS,
  startServer,
  waitFor,
} from "./harness.mjs";

/** Households in each zone of the demo (shared/src/fixtures/residents.rs). */
const DEMO_UNITS = 48;

function csvFile(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-csv-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const BAD = [
  "\uFEFF楼栋,单元,房号,姓名,电话,关系",
  "3栋,2,501,张伟,13812345678,业主",
  ",2,502,缺楼栋,13812345678,业主",
  "3栋,2,503,赵磊,call-me,租户",
  "3栋,2,501,张伟,13900000000,业主",
  "3栋,2,504,钱芳,13812340000,房东",
].join("\n");

/** "楼栋,单元,房号,姓名,电话,关系" and "3栋,2,504,钱芳,13812340000,家属" in GBK, CRLF. */
const GBK = Buffer.from(
  "c2a5b6b02cb5a5d4aa2cb7bfbac52cd0d5c3fb2cb5e7bbb02cb9d8cfb50d0a" +
    "33b6b02c322c3530342cc7aeb7bc2c31333831323334303030302cbcd2caf40d0a",
  "hex",
);

/** 0xFF starts no character in UTF-8 nor in GBK. */
const NEITHER = Buffer.from([0xff, 0xfe, 0x41, 0x00]);

const GOOD = [
  "\uFEFF楼栋,单元,房号,姓名,电话,关系",
  "3栋,2,501,张伟,13812345678,业主",
  "3栋,2,502,孙丽,13812345679,业主",
  "3栋,2,503,赵磊,13812345680,租户",
  "3栋,2,504,钱芳,13812340000,家属",
].join("\n");

test("a CSV import with bad rows is refused row by row; a visit raises a linked request; intake picks from the directory", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  t.after(async () => {
    if (t.passed === false) await page.screenshot({ path: artifactPath(`${t.name}.png`) }).catch(() => {});
  });
  await signIn(page, server.url, "service-a");
  await page.getByTestId("tab-residents").click();
  const units = () => page.getByTestId("residents-unit").count();
  // The demo's households, their relations in the user's language.
  await waitFor(async () => (await units()) === DEMO_UNITS, { message: "the demo's directory" });
  const relations = new Set(await page.getByTestId("residents-relation").allTextContents());
  assert.deepEqual([...relations].sort(), ["业主", "家属", "租户"].sort());

  // The template: UTF-8 with a byte-order mark, a header and an example row,
  // and it imports as it is.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("residents-template").click(),
  ]);
  assert.equal(download.suggestedFilename(), "residents-template.csv");
  const template = fs.readFileSync(await download.path());
  assert.deepEqual([...template.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark");
  const lines = template.toString("utf8").slice(1).trim().split(/\r?\n/);
  assert.equal(lines.length, 2, lines.join("|"));
  assert.equal(lines[0], "楼栋,单元,房号,姓名,电话,关系");
  await page.getByTestId("residents-import").setInputFiles(await download.path());
  await page.getByTestId("residents-imported").waitFor();
  await waitFor(async () => (await units()) === DEMO_UNITS + 1, { message: "the template's example unit" });
  // Residents' data leaves the tablet only with the office head.
  assert.equal(await page.getByTestId("residents-export").count(), 0, "no export for zone staff");

  // A file in neither UTF-8 nor GBK is refused with what to do about it.
  await page.getByTestId("residents-import").setInputFiles(csvFile("neither.csv", NEITHER));
  assert.match(await page.getByTestId("residents-import-failed").textContent(), /GBK/);

  // A GBK file from Excel imports, names intact.
  await page.getByTestId("residents-import").setInputFiles(csvFile("excel-gbk.csv", GBK));
  await page.getByTestId("residents-imported").waitFor();
  await waitFor(async () => (await units()) === DEMO_UNITS + 2, { message: "the GBK file's unit" });
  const flat504 = page.getByTestId("residents-unit").filter({ hasText: "3栋2单元504" });
  assert.match(await flat504.textContent(), /钱芳 · 13812340000 · 家属/);

  await page.getByTestId("residents-import").setInputFiles(csvFile("bad.csv", BAD));
  await page.getByTestId("residents-import-failed").waitFor();
  const rows = await page.getByTestId("residents-import-row").evaluateAll((items) =>
    items.map((item) => [Number(item.dataset.line), item.dataset.problem]),
  );
  assert.deepEqual(rows, [
    [3, "missing_building"],
    [4, "bad_phone"],
    [5, "duplicate"],
    [6, "bad_relation"],
  ]);
  assert.match(await page.getByTestId("residents-import-failed").textContent(), /第 4 行/);
  assert.equal(await units(), DEMO_UNITS + 2, "nothing half-imported");

  // 501 came with the template and 504 with the GBK file: two more units.
  await page.getByTestId("residents-import").setInputFiles(csvFile("good.csv", GOOD));
  await page.getByTestId("residents-imported").waitFor();
  await waitFor(async () => (await units()) === DEMO_UNITS + 4, { message: "every row imported" });

  // A visit to 3栋2单元501 raises a repair request in the same step.
  await page.getByTestId("tab-visits").click();
  const count = () => page.getByTestId("visits-month-count").getAttribute("data-count");
  assert.equal(await count(), "0");
  const notVisited = () => page.getByTestId("visits-not-visited").getAttribute("data-count");
  assert.equal(await notVisited(), String(DEMO_UNITS + 4));
  const unit501 = await page
    .getByTestId("visit-unit")
    .locator("option", { hasText: "3栋2单元501" })
    .getAttribute("value");
  for (const raisesRequest of [true, false]) {
    await page.getByTestId("visit-unit").selectOption(unit501);
    await page.getByTestId("visit-raised").fill("阳台漏水");
    await page.getByTestId("visit-satisfaction").selectOption("basically");
    if (raisesRequest) {
      await page.getByTestId("visit-raise-request").check();
      await page.getByTestId("visit-request-kind").selectOption("repair_home");
      await page.getByTestId("visit-request-text").fill("E2E 阳台漏水，请维修");
    }
    await page.getByTestId("visit-save").click();
    await page.getByTestId("visit-saved").waitFor();
    // A clean form for the next household, not a duplicate waiting to happen.
    assert.equal(await page.getByTestId("visit-unit").inputValue(), "");
    assert.equal(await page.getByTestId("visit-raised").inputValue(), "");
    assert.equal(await page.getByTestId("visit-satisfaction").inputValue(), "satisfied");
    assert.equal(await page.getByTestId("visit-raise-request").isChecked(), false);
  }
  // Two visits to one household count once.
  await waitFor(async () => (await count()) === "1", { message: "one household this month" });
  await waitFor(async () => (await page.getByTestId("visit-row").count()) === 2, { message: "both visits listed" });
  assert.equal(await notVisited(), String(DEMO_UNITS + 3));
  // Each visit shows its day as well as its time: "12月3日 09:40".
  const today = new Date(Date.now() + SITE_OFFSET_MS);
  const day = `${today.getUTCMonth() + 1}月${today.getUTCDate()}日`;
  for (const when of await page.getByTestId("visit-when").allTextContents()) {
    assert.match(when, /^\d{1,2}月\d{1,2}日 \d\d:\d\d$/);
    assert.ok(when.startsWith(`${day} `), `${when}, today ${day}`);
  }

  // The request is in the list, from the visit channel, linked to the unit.
  await page.getByTestId("tab-requests").click();
  const row = page.getByTestId("request-row").filter({ hasText: "E2E 阳台漏水" });
  await row.waitFor();
  await row.click();
  assert.match(await page.getByTestId("request-detail").textContent(), /3栋2单元501/);
  assert.match(await page.getByTestId("request-detail").textContent(), /走访/);

  // Intake offers the directory's units and the unit's residents; picking a
  // resident fills in their phone.
  await page.getByTestId("tab-requests").click();
  await page.getByTestId("request-new").click();
  const options = (testid) =>
    page.getByTestId(testid).locator("option").evaluateAll((items) => items.map((item) => item.value).sort());
  const offered = await options("request-units");
  assert.equal(offered.length, DEMO_UNITS + 4, "the demo's units and the imported ones");
  assert.deepEqual(
    offered.filter((unit) => unit.startsWith("3栋")),
    ["3栋2单元501", "3栋2单元502", "3栋2单元503", "3栋2单元504"],
  );
  await page.getByTestId("request-unit").fill("3栋2单元502");
  await waitFor(async () => (await options("request-residents")).join() === "孙丽", {
    message: "the unit's residents offered",
  });
  await page.getByTestId("request-resident").fill("孙丽");
  await waitFor(async () => (await page.getByTestId("request-phone").inputValue()) === "13812345679", {
    message: "the resident's phone filled in",
  });
  await page.getByTestId("request-description").fill("E2E 楼道灯不亮");
  await page.getByTestId("request-save").click();
  await page.getByTestId("request-detail").waitFor();
  const detail = await page.getByTestId("request-detail").textContent();
  assert.match(detail, /E2E 楼道灯不亮/);
  assert.match(detail, /3栋2单元502/);

  // A guard of the zone never receives the resident directory.
  const guard = await login(server.url, "guard-a");
  const kinds = (await listDocs(server.url, guard.token)).map((entry) => entry.kind);
  assert.ok(!kinds.includes("resident_directory"), kinds.join(","));
  assert.ok(kinds.includes("request_log"));
});

test("the office head reads the whole site's directory and visits", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await signIn(page, server.url, "head");
  const area = page.locator('[data-area-tabs~="residents"]');
  await area.click();
  await page.getByTestId("tab-residents").click();
  await page.getByTestId("residents-zone").selectOption("");
  await waitFor(async () => (await page.getByTestId("residents-unit").count()) === 3 * DEMO_UNITS, {
    message: "every zone's units in one list",
  });
  const zones = await page.getByTestId("residents-unit-zone").evaluateAll((badges) => new Set(badges.map((b) => b.textContent)).size);
  assert.equal(zones, 3, "each row names its zone");
  // Import and export work zone by zone.
  assert.equal(await page.getByTestId("residents-import").isDisabled(), true);
  assert.equal(await page.getByTestId("residents-export").isDisabled(), true);
  // Zone A's file is marked as personal data, in its name and first line.
  await page.getByTestId("residents-zone").selectOption("A");
  const [exported] = await Promise.all([page.waitForEvent("download"), page.getByTestId("residents-export").click()]);
  assert.equal(exported.suggestedFilename(), "residents-A-personal.csv");
  const exportedLines = fs.readFileSync(await exported.path()).toString("utf8").slice(1).split(/\r?\n/);
  assert.match(exportedLines[0], /^# 个人信息/);
  assert.equal(exportedLines[1], "楼栋,单元,房号,姓名,电话,关系");
  await page.getByTestId("residents-zone").selectOption("");

  await page.getByTestId("tab-visits").click();
  const rows = page.getByTestId("site-visits-row");
  await waitFor(async () => (await rows.count()) === 3, { message: "a line per zone" });
  const units = await rows.evaluateAll((lines) => lines.map((line) => Number(line.dataset.units)));
  assert.deepEqual(units, [DEMO_UNITS, DEMO_UNITS, DEMO_UNITS]);
});
