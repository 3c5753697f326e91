// The office head's monthly reports (issue #15): last month's report of
// each kind from the server, its CSV (the same bytes as the server's),
// the print view, and the same complaints report computed offline by the
// tablet from its own documents, figure for figure.

import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";

import { SITE_OFFSET_MS, launchBrowser, login, openTab, signIn, startServer, waitFor } from "./harness.mjs";

/** The site-local month before this one, `YYYY-MM`. */
function lastMonth() {
  const today = new Date(Date.now() + SITE_OFFSET_MS);
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
}

/** The shown report's tables as text, one line per row. */
const tables = (page) =>
  page.getByTestId("report").evaluate((report) =>
    [...report.querySelectorAll("[data-testid=report-section]")]
      .map((section) =>
        [section.dataset.section, ...[...section.querySelectorAll("tr")].map((row) => row.innerText.replaceAll("\t", "|"))].join("\n"),
      )
      .join("\n\n"),
  );

async function shown(page, kind, source) {
  const report = page.locator(`[data-testid=report][data-kind=${kind}][data-source=${source}]`);
  await report.waitFor({ timeout: 30_000 });
  return report;
}

test("the head reads, exports and prints last month's reports, online and offline", async (t) => {
  // The demo's own schedule start, so last month's patrol counts.
  const server = await startServer({ t, demoSince: false, args: ["--demo-history"] });
  const browser = await launchBrowser({ t });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const month = lastMonth();
  await signIn(page, server.url, "head");
  // The head's first screen lists the month-end reports owed; one opens it.
  const owed = page.locator(`[data-testid=due-report][data-kind=visits][data-month="${month}"]`);
  await owed.waitFor({ timeout: 30_000 });
  assert.match(await owed.getAttribute("data-state"), /^(ready|late|signed)$/);
  await owed.locator("button").click();
  await shown(page, "visits", "server");
  assert.equal(await page.getByTestId("report-month").inputValue(), month);

  await openTab(page, "reports");
  assert.equal(await page.getByTestId("report-month").inputValue(), month, "last month by default");

  // The complaint monthly report from the server: figures, the trend chart.
  await shown(page, "complaints", "server");
  assert.equal(await page.getByTestId("report").getAttribute("data-month"), month);
  const sections = await page.getByTestId("report-section").evaluateAll((all) => all.map((s) => s.dataset.section));
  for (const id of ["overview", "by_kind", "time_limits", "open_at_month_end", "trend"]) {
    assert.ok(sections.includes(id), `the ${id} section: ${sections}`);
  }
  assert.ok((await page.getByTestId("report-row").count()) > 10, "last month has figures");
  await page.locator("[data-section=trend] [data-testid=history-chart]").waitFor();
  const online = await tables(page);

  // Its CSV is the server's, byte for byte: one computation, two places.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-csv").click()]);
  assert.equal(download.suggestedFilename(), `roundbook-complaints-${month}.csv`);
  const fromTablet = fs.readFileSync(await download.path(), "utf8");
  const { token } = await login(server.url, "head");
  // Bytes, not `text()`: the decoder would drop the byte-order mark.
  const answer = await fetch(`${server.url}/api/reports/complaints?month=${month}&format=csv`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const fromServer = Buffer.from(await answer.arrayBuffer()).toString("utf8");
  assert.ok(fromTablet.startsWith("\ufeff报表,"), "Excel's byte-order mark and Chinese headings");
  assert.equal(fromTablet, fromServer);
  assert.ok(fromTablet.split("\r\n").length > 50, "one line per fact");

  // The print view: the heading and the signature lines, no controls.
  await page.emulateMedia({ media: "print" });
  assert.ok(await page.getByTestId("report-signatures").isVisible(), "signature lines are printed");
  assert.ok(!(await page.getByTestId("report-csv").isVisible()), "buttons are not printed");
  assert.match(await page.getByTestId("report-facts").innerText(), new RegExp(`翠湖花园 · ${month}`));
  await page.emulateMedia({ media: "screen" });

  // Every other report of the month, with figures, its CSV and its print view.
  for (const kind of ["repair-callbacks", "visits", "patrol", "cleaning"]) {
    await page.getByTestId(`report-${kind}`).click();
    await shown(page, kind, "server");
    assert.ok((await page.getByTestId("report-row").count()) > 0, `${kind} has rows`);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-csv").click()]);
    assert.equal(csv.suggestedFilename(), `roundbook-${kind}-${month}.csv`);
    const text = fs.readFileSync(await csv.path(), "utf8");
    assert.ok(text.startsWith("\ufeff报表,") && text.split("\r\n").length > 3, `${kind}: a CSV with facts`);
    await page.emulateMedia({ media: "print" });
    assert.ok(await page.getByTestId("report-signatures").isVisible(), `${kind}: signature lines are printed`);
    assert.ok(!(await page.getByTestId("report-csv").isVisible()), `${kind}: buttons are not printed`);
    await page.emulateMedia({ media: "screen" });
  }
  // Last month's rounds were walked: the patrol report counts them.
  await page.getByTestId("report-patrol").click();
  const done = await (await shown(page, "patrol", "server")).evaluate((report) => {
    const section = report.querySelector("[data-section=by_zone]");
    const columns = [...section.querySelectorAll("thead th")].map((th) => th.innerText);
    const column = columns.indexOf("完成次数");
    return [...section.querySelectorAll("tbody tr")].map((row) => Number(row.children[column].innerText));
  });
  assert.ok(done.length > 0 && done.every((count) => count > 0), `rounds done in every zone: ${done}`);

  // Offline the tablet computes the complaints report from what it holds:
  // the same figures as the server's.
  await context.setOffline(true);
  await waitFor(
    async () => {
      await page.getByTestId("report-patrol").click();
      await page.getByTestId("report-complaints").click();
      await shown(page, "complaints", "tablet");
      return (await page.getByTestId("report-needs-network").count()) === 0 && (await tables(page)) === online;
    },
    { timeout: 60_000, interval: 2_000, message: "the offline complaints report equals the server's" },
  );

  // Last month's patrol needs every day of it: more than the tablet keeps.
  await page.getByTestId("report-patrol").click();
  await shown(page, "patrol", "tablet");
  await page.getByTestId("report-needs-network").waitFor();
  assert.ok(await page.getByTestId("report-print").isDisabled(), "an incomplete month is not printed");
});

test("a guard has no reports screen and the server gives a guard none", async (t) => {
  const server = await startServer({ t });
  const browser = await launchBrowser({ t });
  const page = await browser.newPage();
  await signIn(page, server.url, "guard-a");
  assert.equal(await page.getByTestId("tab-reports").count(), 0);
  const { token } = await login(server.url, "guard-a");
  const response = await fetch(`${server.url}/api/reports/complaints?month=${lastMonth()}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 403);
});
