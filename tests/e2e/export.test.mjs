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
