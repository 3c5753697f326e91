// Browser benchmark: how long a new tablet (headless Chromium, the real app)
// takes to bootstrap guard-a's zone from a server holding a month of scans
// (30 day documents x 1,000 scans, plus 1,000 more today), and how many bytes
// it receives. The tablet holds today and the 7 days before.
//
// The month is seeded by the Rust benchmark, which keeps its database:
//   ROUNDBOOK_BENCH_KEEP_DB=/tmp/month.sqlite3 cargo bench -p roundbook-server --bench sync_figures
//   ROUNDBOOK_BENCH_DB=/tmp/month.sqlite3 node tests/bench/bootstrap.mjs
// Prints figures; asserts nothing about speed.

import fs from "node:fs";

import { DEMO_PASSWORD, launchBrowser, startServerOnCopy, waitFor } from "../e2e/harness.mjs";

const source = process.env.ROUNDBOOK_BENCH_DB;
if (!source || !fs.existsSync(source)) {
  console.error("set ROUNDBOOK_BENCH_DB to a database kept by the sync_figures benchmark");
  process.exit(2);
}

const server = await startServerOnCopy(source);

const browser = await launchBrowser();
try {
  const page = await (await browser.newContext()).newPage();
  let received = 0;
  let lastFrame = 0;
  page.on("websocket", (socket) => {
    socket.on("framereceived", ({ payload }) => {
      received += typeof payload === "string" ? payload.length : payload.byteLength;
      lastFrame = Date.now();
    });
  });
  await page.goto(server.url);
  await page.getByTestId("signin-username").fill("guard-a");
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  const started = Date.now();
  await page.getByTestId("signin-submit").click();
  const probe = setInterval(async () => {
    const count = await page.getByTestId("zone-count").first().textContent().catch(() => "-");
    const pending = await page.getByTestId("sync-pending").textContent().catch(() => "-");
    if (process.env.ROUNDBOOK_BENCH_TRACE) console.log(Date.now() - started, count, pending, received);
  }, 1000);
  // The Rust benchmark leaves 2,000 scans in today's document (1,000 seeded,
  // 1,000 recorded "offline").
  const expected = process.env.ROUNDBOOK_BENCH_TODAY || "2000";
  await waitFor(async () => (await page.getByTestId("zone-count").first().textContent()) === expected, {
    timeout: 300_000,
    interval: 20,
    message: `today's ${expected} scans shown`,
  });
  const todayShown = Date.now() - started;
  clearInterval(probe);
  // Then until the socket has been quiet for 2 s: every listed day is in.
  await waitFor(() => lastFrame && Date.now() - lastFrame > 2_000, { timeout: 300_000 });
  const allIn = lastFrame - started;
  console.log(`today's ${expected} scans on screen ${todayShown} ms after signing in`);
  console.log(
    `all listed documents (7 days back + today) received ${allIn} ms after signing in; ` +
      `${(received / 1024).toFixed(1)} KiB over the socket`,
  );
} finally {
  await browser.close();
  await server.stop();
}
