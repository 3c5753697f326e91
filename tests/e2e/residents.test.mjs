// The resident directory and household visits end to end, in headless
// Chromium against a real server: a CSV file with bad rows is refused row by
// row and nothing is imported; the corrected file imports every row; a visit
// raises a linked request in one step; the month's count and the units not
// visited this quarter follow; a guard's tablet never receives the directory.

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
  startServer,
  waitFor,
} from "./harness.mjs";

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
  const page = await (await browser.newContext()).newPage();
  t.after(async () => {
    if (t.passed === false) await page.screenshot({ path: artifactPath(`${t.name}.png`) }).catch(() => {});
  });
  await signIn(page, server.url, "service-a");
  await page.getByTestId("tab-residents").click();
  await page.getByTestId("residents-empty").waitFor();

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
  assert.equal(await page.getByTestId("residents-unit").count(), 0, "nothing half-imported");

  await page.getByTestId("residents-import").setInputFiles(csvFile("good.csv", GOOD));
  await page.getByTestId("residents-imported").waitFor();
  assert.equal(await page.getByTestId("residents-unit").count(), 4);

  // A visit to 3栋2单元501 raises a repair request in the same step.
  await page.getByTestId("tab-visits").click();
  const count = () => page.getByTestId("visits-month-count").getAttribute("data-count");
  assert.equal(await count(), "0");
  assert.equal(await page.getByTestId("visits-not-visited").getAttribute("data-count"), "4");
  const unit501 = await page.getByTestId("visit-unit").locator("option", { hasText: "501" }).getAttribute("value");
  for (const raisesRequest of [true, false]) {
    await page.getByTestId("visit-unit").selectOption(unit501);
    await page.getByTestId("visit-raised").fill("阳台漏水");
    if (raisesRequest) {
      await page.getByTestId("visit-raise-request").check();
      await page.getByTestId("visit-request-kind").selectOption("repair_home");
      await page.getByTestId("visit-request-text").fill("E2E 阳台漏水，请维修");
    }
    await page.getByTestId("visit-save").click();
    await page.getByTestId("visit-saved").waitFor();
  }
  // Two visits to one household count once.
  await waitFor(async () => (await count()) === "1", { message: "one household this month" });
  await waitFor(async () => (await page.getByTestId("visit-row").count()) === 2, { message: "both visits listed" });
  assert.equal(await page.getByTestId("visits-not-visited").getAttribute("data-count"), "3");

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
  assert.deepEqual(await options("request-units"), ["3栋2单元501", "3栋2单元502", "3栋2单元503", "3栋2单元504"]);
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
