// The office head's export in the app (issue #14): pick the days, download
// every record of them as a zip of CSV files; a reversed range is refused
// with a message in the head's language.

import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";

import { SITE_OFFSET_MS, launchBrowser, openTab, signIn, startServer } from "./harness.mjs";

/** The site-local date `daysBack` days before today, as `YYYY-MM-DD`. */
const siteDate = (daysBack) => new Date(Date.now() + SITE_OFFSET_MS - daysBack * 86_400_000).toISOString().slice(0, 10);

test("the office head downloads the records of a range of days as a zip", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, server.url, "head");
  await openTab(page, "export");
  const [from, to] = [siteDate(7), siteDate(0)];
  await page.getByTestId("export-from").fill(from);
  await page.getByTestId("export-to").fill(to);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-download").click(),
  ]);
  assert.equal(download.suggestedFilename(), `roundbook-demo-${from}-${to}.zip`);
  const zip = fs.readFileSync(await download.path());
  assert.equal(zip.subarray(0, 2).toString("latin1"), "PK", "a zip file");
  // The demo's checkpoints and requests, by file name in the zip's directory.
  assert.ok(zip.includes("checkpoints.csv"), "the checkpoints");
  assert.ok(zip.includes("requests-personal.csv"), "the requests, marked personal");
  assert.match(await page.getByTestId("export-outcome").textContent(), /已下载/);

  // The end before the start: refused, with the reason.
  await page.getByTestId("export-from").fill(to);
  await page.getByTestId("export-to").fill(from);
  await page.getByTestId("export-download").click();
  await page.getByTestId("export-outcome").filter({ hasText: "开始日期" }).waitFor();
});

test("the office head finds a resident's records by phone and unit and saves them marked as personal data", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, server.url, "head");
  await openTab(page, "export");

  // Too short to be one person's: refused with the reason.
  await page.getByTestId("pd-query").fill("123");
  await page.getByTestId("pd-search").click();
  await page.getByTestId("pd-outcome").filter({ hasText: "7 位" }).waitFor();

  // The demo's requests carry 13800138000.
  await page.getByTestId("pd-query").fill("138 0013 8000");
  await page.getByTestId("pd-search").click();
  const found = page.getByTestId("pd-found");
  await found.waitFor();
  assert.ok(Number(await found.getAttribute("data-count")) >= 1);
  const records = await page.getByTestId("pd-record").evaluateAll((rows) => rows.map((row) => row.dataset.record));
  assert.ok(records.includes("requests"), records.join(","));

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("pd-export").click()]);
  assert.match(download.suggestedFilename(), /^personal-data-demo-\d{8}-personal\.csv$/);
  const text = fs.readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  assert.match(text.split("\n")[0], /个人信息|personal/i);
  assert.ok(text.includes("13800138000"));

  // By unit: the directory's unit and its residents are found too.
  await page.getByTestId("pd-query").fill("1栋1单元101");
  await page.getByTestId("pd-search").click();
  await e2eWaitForRecord(page, "units");
});

/** Waits until a found record of `record` is listed. */
async function e2eWaitForRecord(page, record) {
  await page.locator(`[data-testid=pd-record][data-record="${record}"]`).first().waitFor();
}
