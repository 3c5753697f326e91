// Browser benchmark: how long the office head's tablet (headless Chromium,
// the real app) takes to compute last month's complaints report offline
// from its own documents, for a site of 10 zones and 5,000 requests, against
// the server's time for the same report (printed by the Rust benchmark).
//
// The site is seeded by the Rust benchmark, which keeps its database:
//   ROUNDBOOK_BENCH_DB=/tmp/reports.sqlite3 cargo bench -p roundbook-server --bench report_figures
//   ROUNDBOOK_BENCH_DB=/tmp/reports.sqlite3 node tests/bench/reports.mjs
// Prints figures; asserts nothing about speed.

import fs from "node:fs";

import { DEMO_PASSWORD, launchBrowser, openTab, startServerOnCopy, waitFor } from "../e2e/harness.mjs";

const RUNS = 5;
const source = process.env.ROUNDBOOK_BENCH_DB;
if (!source || !fs.existsSync(source)) {
  console.error("set ROUNDBOOK_BENCH_DB to a database kept by the report_figures benchmark");
  process.exit(2);
}

const server = await startServerOnCopy(source);

const browser = await launchBrowser();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId("signin-username").fill("head");
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("user-name").waitFor();
  await openTab(page, "reports");
  // Online first: the server's answer, and time for the tablet to download the month.
  await page.locator("[data-testid=report][data-kind=complaints][data-source=server]").waitFor({ timeout: 120_000 });
  const serverRows = await page.getByTestId("report-row").count();
  await context.setOffline(true);
  const times = [];
  await waitFor(
    async () => {
      await page.getByTestId("report-patrol").click();
      const started = Date.now();
      await page.getByTestId("report-complaints").click();
      const report = page.locator("[data-testid=report][data-kind=complaints][data-source=tablet]");
      await report.waitFor({ timeout: 60_000 });
      const complete = (await page.getByTestId("report-needs-network").count()) === 0;
      if (complete && (await page.getByTestId("report-row").count()) === serverRows) {
        times.push({ compute: Number(await report.getAttribute("data-compute-ms")), shown: Date.now() - started });
      }
      return times.length >= RUNS;
    },
    { timeout: 300_000, interval: 500, message: "the tablet's complete offline report" },
  );
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    `complaints report, 5,000 requests, 10 zones (tablet, headless Chromium, offline): ` +
      `compute median ${median(times.map((t) => t.compute))} ms, ` +
      `tap to shown median ${median(times.map((t) => t.shown))} ms (${RUNS} runs, ${serverRows} rows)`,
  );
} finally {
  await browser.close();
  await server.stop();
}
