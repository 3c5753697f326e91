// Shared helpers for the end-to-end tests: start a real roundbook-server on a
// free loopback port with a fresh database, launch headless Chromium, sign in.
//
// Everything started here stops by itself: pass the test context `t` to
// register cleanup with `t.after`, and a process 'exit' handler kills any
// server still running when the test file's process ends.
//
// Environment (scripts/test sets both; the defaults suit a local run after
// scripts/build-web and `cargo build -p roundbook-server`):
//   ROUNDBOOK_SERVER_BIN  server binary (default $CARGO_TARGET_DIR or
//                         ~/.cache/roundbook/target, then debug/roundbook-server)
//   ROUNDBOOK_DIST        built web app (default <repo>/dist)
//   ROUNDBOOK_E2E_SERVER_LOG=1  echo the servers' output (with RUST_LOG=debug: all of it)

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const SERVER_BIN =
  process.env.ROUNDBOOK_SERVER_BIN ||
  path.join(
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), ".cache/roundbook/target"),
    "debug/roundbook-server",
  );

export const DIST = process.env.ROUNDBOOK_DIST || path.join(REPO_ROOT, "dist");

/** Where tests may write screenshots and traces (gitignored; made on demand). */
export function artifactPath(name) {
  const dir = path.join(REPO_ROOT, "tests/artifacts");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** Password of every demo account. */
export const DEMO_PASSWORD = "roundbook";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** ROUNDBOOK_E2E_SERVER_LOG=1 echoes the servers' output to stderr (set RUST_LOG too for more). */
const ECHO_SERVER_OUTPUT = process.env.ROUNDBOOK_E2E_SERVER_LOG === "1";

const HEALTH_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------
// Cleanup of last resort: servers still running when this process ends.

const liveProcesses = new Set();

process.on("exit", () => {
  for (const child of liveProcesses) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
}

// ---------------------------------------------------------------------------
// Small utilities.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` (sync or async) until it returns a truthy value, and returns that
 * value. Throws after `timeout` ms, with `message` and the last error `fn` threw.
 * `message` may be a function (sync or async), called only on a timeout: use
 * one for a message that reads the page, which would otherwise be read (and
 * waited for) before the first try.
 * An error thrown by `fn` is retried, except one made by `stopWaiting(...)`,
 * which ends the wait at once.
 */
export async function waitFor(fn, { timeout = 10_000, interval = 100, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      if (error?.stopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? `: last error: ${lastError.stack || lastError}` : "";
      const what = typeof message === "function" ? await Promise.resolve(message()).catch((e) => `(${e})`) : message;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

/** An error that makes `waitFor` give up at once instead of retrying. */
export function stopWaiting(message) {
  const error = new Error(message);
  error.stopWaiting = true;
  return error;
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------
// The server.

/**
 * Starts roundbook-server on a free port with a fresh database in a temp dir,
 * and waits until `GET /api/health` answers 200.
 *
 * @param {object} [options]
 * @param {boolean} [options.demo=true] seed the demo site and accounts
 * @param {import("node:test").TestContext} [options.t] stop the server when this test ends
 * @param {string} [options.bin=SERVER_BIN] the server binary (another build, for upgrades)
 * @param {string} [options.dist=DIST] the built app it serves
 * @returns {Promise<{url: string, port: number, dbPath: string, dir: string,
 *   proc: import("node:child_process").ChildProcess, output: () => string,
 *   kill: (signal?: string) => Promise<void>, restart: () => Promise<void>,
 *   replace: (build: {bin: string, dist: string}) => Promise<void>,
 *   stop: () => Promise<void>}>}
 */
export async function startServer({
  demo = true,
  demoSince = true,
  t,
  bin = SERVER_BIN,
  dist = DIST,
  tlsName = null,
  args: extraArgs = [],
} = {}) {
  if (!fs.existsSync(bin)) {
    throw new Error(
      `server binary ${bin} not found: run \`cargo build -p roundbook-server\` ` +
        "or set ROUNDBOOK_SERVER_BIN",
    );
  }
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roundbook-e2e-"));
  const dbPath = path.join(dir, "db.sqlite3");
  // With `tlsName` the server speaks HTTPS with its own local authority
  // (`--tls-self-signed`), kept beside the database.
  const tlsDir = tlsName ? `${dbPath}.tls` : null;
  const url = tlsName ? `https://${tlsName}:${port}` : `http://127.0.0.1:${port}`;
  let log = "";

  const server = {
    url,
    port,
    dbPath,
    dir,
    tlsDir,
    proc: null,
    /** Everything the server printed so far (for failure messages). */
    output: () => log,
    /** Sends `signal` (default SIGTERM) and waits for the process to end (SIGKILL after 10 s). */
    kill: (signal = "SIGTERM") => stopProcess(server.proc, signal),
    /** Stops the server and starts a new process on the same port and database. */
    restart: async () => {
      await server.kill();
      await launch();
    },
    /** Stops the server and starts another build (binary and app) on the same port and database. */
    replace: async (build) => {
      await server.kill();
      bin = build.bin;
      dist = build.dist;
      await launch();
    },
    /** Stops the server and removes its temp dir. */
    stop: async () => {
      await server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  async function launch() {
    const args = ["--listen", `127.0.0.1:${port}`, "--db", dbPath, "--web-root", dist];
    // The demo's schedules apply from midnight yesterday (site time): the
    // tests set tablet clocks back to yesterday evening so that a round is
    // due whatever the hour they run at. Without `demoSince` they apply as
    // the demo seeds them (with `--demo-history`, from last month's first).
    if (demo) args.push("--demo");
    if (demo && demoSince) args.push("--demo-since", new Date(siteInstant(0, 0, -1)).toISOString());
    if (tlsName) args.push("--tls-self-signed", tlsName);
    args.push(...extraArgs);
    const child = spawn(bin, args, {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" },
    });
    liveProcesses.add(child);
    // Do not keep the test process alive for the server: when the tests are
    // done the process exits, and the 'exit' handler above kills the server.
    child.unref();
    child.stdout.unref();
    child.stderr.unref();
    const append = (chunk) => {
      if (ECHO_SERVER_OUTPUT) process.stderr.write(`[server :${port}] ${chunk}`);
      log += chunk.toString();
      if (log.length > 200_000) log = log.slice(-100_000);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        liveProcesses.delete(child);
        resolve({ code, signal });
      });
      child.once("error", (error) => {
        liveProcesses.delete(child);
        resolve({ error });
      });
    });
    child.exited = exited;
    server.proc = child;

    let early;
    exited.then((result) => {
      early = result;
    });
    try {
      await waitFor(
        async () => {
          if (early) {
            throw stopWaiting(`${bin} exited before answering (${JSON.stringify(early)})`);
          }
          if (tlsName) return (await httpsStatus(port, tlsName, tlsDir, "/api/health")) === 200;
          const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
          return response.status === 200;
        },
        { timeout: HEALTH_TIMEOUT_MS, interval: 100, message: `${url}/api/health` },
      );
    } catch (error) {
      await stopProcess(child, "SIGKILL");
      error.message += `\n--- server output ---\n${log}`;
      throw error;
    }
  }

  if (t) t.after(() => server.stop());
  await launch();
  return server;
}

/**
 * A server on a copy of the SQLite database `source` (with its WAL files), as
 * a benchmark left it; no demo is seeded.
 */
export async function startServerOnCopy(source) {
  const server = await startServer({ demo: false });
  await server.kill();
  for (const suffix of ["", "-wal", "-shm"]) {
    fs.rmSync(server.dbPath + suffix, { force: true });
    if (fs.existsSync(source + suffix)) fs.copyFileSync(source + suffix, server.dbPath + suffix);
  }
  await server.restart();
  return server;
}

/**
 * Chromium flags for a server started with `tlsName`: its name maps to
 * 127.0.0.1, and exactly its certificate's key (the SHA-256 of its SPKI) is
 * trusted, never every certificate.
 */
export function trustServerArgs(server, name) {
  const certificate = new crypto.X509Certificate(fs.readFileSync(`${server.tlsDir}/server.crt`));
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  const hash = crypto.createHash("sha256").update(spki).digest("base64");
  return [`--host-resolver-rules=MAP ${name} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${hash}`];
}

/**
 * The status of `GET path` over HTTPS on 127.0.0.1:`port`, as `name`, trusting
 * only the server's local authority in `tlsDir` (0 before it exists).
 */
export function httpsStatus(port, name, tlsDir, path) {
  const caFile = `${tlsDir}/ca.crt`;
  if (!fs.existsSync(caFile)) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host: "127.0.0.1", port, path, servername: name, headers: { host: name }, ca: fs.readFileSync(caFile), timeout: 2_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
  });
}

async function stopProcess(child, signal) {
  if (!child || !liveProcesses.has(child)) return;
  child.kill(signal);
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, STOP_TIMEOUT_MS, "timeout");
  });
  try {
    if ((await Promise.race([child.exited, timeout])) === "timeout") {
      child.kill("SIGKILL");
      await child.exited;
    }
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------
// The browser.

/**
 * Launches Debian's headless Chromium through Playwright. Each launch gets its
 * own fresh temporary profile; use `browser.newContext()` for each tablet.
 * Pass the test context `t` to close it when the test ends (or close it in a
 * `finally` yourself).
 */
export async function launchBrowser({ t, args = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...args],
  });
  if (t) t.after(() => browser.close());
  return browser;
}

// ---------------------------------------------------------------------------
// The HTTP API.

/**
 * `POST /api/login`. Returns `{token, expires_at, user, site}`; throws on any
 * answer but 200.
 */
export async function login(baseUrl, username, password = DEMO_PASSWORD) {
  const response = await fetch(`${baseUrl}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`login as ${username} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

/** `GET path` with the bearer token; returns the parsed JSON, throws unless 200. */
export async function apiGet(baseUrl, pathname, token) {
  const response = await fetch(`${baseUrl}${pathname}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`GET ${pathname} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

/** `GET /api/docs`: `[{document_id, kind, zone, period?}]`. */
export const listDocs = (baseUrl, token) => apiGet(baseUrl, "/api/docs", token);

/** The automerge-repo WebSocket URL of a server for a signed-in user. */
export const syncUrl = (server, token) =>
  `ws://127.0.0.1:${server.port}/sync?token=${encodeURIComponent(token)}`;

// ---------------------------------------------------------------------------
// A tablet: sign-in and the sync indicator.

/** How long a change may take to reach the server or another tablet. */
export const SYNC_TIMEOUT = 20_000;

/** Signs `username` in on the app at `url` (demo password). */
export async function signIn(page, url, username) {
  await page.goto(url);
  await page.getByTestId("signin-username").fill(username);
  await page.getByTestId("signin-password").fill(DEMO_PASSWORD);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("user-name").waitFor();
}

/**
 * Opens the screen `name` (a tab's name, e.g. "export"): for a user whose
 * screens are grouped in areas (the office head), its area first.
 */
export async function openTab(page, name) {
  const area = page.locator(`[data-area-tabs~="${name.replaceAll("-", "_")}"]`);
  if (await area.count()) await area.click();
  await page.getByTestId(`tab-${name}`).click();
}

/** The sync indicator's link state (`online`, `offline`, ...). */
export const syncState = (page) => page.getByTestId("sync-online").getAttribute("data-state");

/** The number an element shows as its text. */
export const shownNumber = async (page, testId) => Number((await page.getByTestId(testId).textContent()).trim());

/** Waits until the tablet is online with no change and no photo waiting for the server. */
export async function waitForSynced(page, message) {
  await waitFor(
    async () =>
      (await syncState(page)) === "online" &&
      (await shownNumber(page, "sync-pending")) === 0 &&
      (await shownNumber(page, "sync-photos-pending")) === 0,
    { timeout: SYNC_TIMEOUT, message: `${message}: everything synced` },
  );
}

/** An element's `data-state`. */
export const dataState = (page, testId) => page.getByTestId(testId).getAttribute("data-state");

/** Waits until the element's `data-state` is `state` (a sync may bring it). */
export async function waitForState(page, testId, state, message) {
  await waitFor(async () => (await dataState(page, testId)) === state, {
    timeout: SYNC_TIMEOUT,
    message: async () => `${message}: ${state} (is ${await dataState(page, testId).catch(() => "?")})`,
  });
}

/** The sync indicator's count of changes waiting for the server. */
export const pending = async (page) => Number(await page.getByTestId("sync-pending").textContent());

/** Waits until the sync indicator shows `count` changes waiting. */
export async function waitForPending(page, count, message, { timeout = SYNC_TIMEOUT } = {}) {
  await waitFor(async () => (await pending(page)) === count, {
    timeout,
    message: async () => `${message}: pending ${count} (is ${await pending(page).catch(() => "?")})`,
  });
}

// ---------------------------------------------------------------------------
// The guard's patrol flow (shift, round, scans), for tests that record scans.

/** Site time is UTC+8 all year (Asia/Shanghai). */
export const SITE_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/**
 * The instant (Unix ms) of site-local `hours:minutes` on the site day
 * `dayOffset` days from today's. Tests install it as the tablets' clock
 * (`page.clock.install({ time })`) so that a demo round is due whatever
 * the real time: the demo night shift runs 20:00-06:00 with fixed rounds
 * every two hours and two unannounced rounds, the day shift 08:00-20:00.
 */
export function siteInstant(hours, minutes = 0, dayOffset = 0) {
  const local = Date.now() + SITE_OFFSET_MS;
  const midnight = local - (local % DAY_MS);
  return midnight + dayOffset * DAY_MS + (hours * 60 + minutes) * 60_000 - SITE_OFFSET_MS;
}

/**
 * Puts the guard on duty from the shift card: confirms a pending handover or
 * starts a shift (or finds one already running, e.g. started on another
 * tablet of the same guard), and waits for the on-duty screen.
 */
export async function startShift(page, { timeout = 15_000 } = {}) {
  const onDuty = page.getByTestId("shift-on-duty");
  const start = page.getByTestId("shift-start");
  const confirm = page.getByTestId("handover-confirm");
  await waitFor(async () => (await onDuty.count()) + (await start.count()) + (await confirm.count()) > 0, {
    timeout,
    message: "the shift card",
  });
  if ((await onDuty.count()) === 0) {
    await ((await confirm.count()) > 0 ? confirm : start).click();
  }
  await onDuty.waitFor({ timeout });
}

/**
 * Starts a round due now from the on-duty screen (the first listed, or the
 * one whose `data-due` is `due`: ms or "unannounced") and waits for the round
 * screen. Returns the round's id.
 */
export async function startRound(page, { due, timeout = 15_000 } = {}) {
  const rounds =
    due === undefined
      ? page.getByTestId("due-round")
      : page.locator(`[data-testid=due-round][data-due="${due}"]`);
  await rounds.first().waitFor({ timeout });
  await rounds.first().getByTestId("due-round-start").click();
  const screen = page.getByTestId("round-screen");
  await screen.waitFor({ timeout });
  return screen.getAttribute("data-round-id");
}

/** Reopens a round under way (after a reload) from the on-duty screen. */
export async function continueRound(page, { timeout = 15_000 } = {}) {
  const open = page.getByTestId("open-round-continue");
  await open.first().waitFor({ timeout });
  await open.first().click();
  await page.getByTestId("round-screen").waitFor({ timeout });
}

/** The number of checkpoints left on the open round screen. */
export async function checkpointsLeft(page) {
  return Number((await page.getByTestId("round-left-count").textContent()).trim());
}

/**
 * Types a checkpoint code on the round screen and waits until it is saved:
 * "saved" shown and one checkpoint fewer left.
 */
export async function scanOnRound(page, code, { timeout = 15_000 } = {}) {
  const before = await checkpointsLeft(page);
  await page.getByTestId("scan-code").fill(code);
  await page.getByTestId("scan-submit").click();
  const result = page.getByTestId("scan-result");
  await waitFor(
    async () => (await result.getAttribute("data-kind")) === "ok" && (await checkpointsLeft(page)) === before - 1,
    { timeout, message: `scan ${code} saved` },
  );
}

/** Types a code that must be refused; returns the message shown. */
export async function scanRefused(page, code, { timeout = 15_000 } = {}) {
  const before = await checkpointsLeft(page);
  await page.getByTestId("scan-code").fill(code);
  await page.getByTestId("scan-submit").click();
  const result = page.getByTestId("scan-result");
  await waitFor(async () => (await result.getAttribute("data-kind")) === "error", {
    timeout,
    message: `scan ${code} refused`,
  });
  if ((await checkpointsLeft(page)) !== before) throw new Error(`refused scan ${code} changed the round`);
  return (await result.textContent()).trim();
}

/** Waits until the service worker controls the page, so it can start offline. */
export async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }),
      );
    }
  });
}

/** How many stored document chunks the tablet's IndexedDB holds. */
export const storedChunks = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("roundbook");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction("chunks").objectStore("chunks").count();
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );

/** A `datetime-local` value (site time, UTC+8) `hoursAhead` hours after `from` (default now). */
export function siteLocalInput(hoursAhead, from = Date.now()) {
  const site = new Date(from + hoursAhead * 3600_000 + 8 * 3600_000);
  return site.toISOString().slice(0, 16);
}

/** On an open request's screen: calls the resident back (satisfied, saying `text`), then closes the request. */
export async function callBackAndClose(page, text) {
  await page.getByTestId("request-action-callback").click();
  await page.getByTestId("request-action-form").waitFor();
  await page.getByTestId("request-action-satisfaction").selectOption("satisfied");
  await page.getByTestId("request-action-text").fill(text);
  await page.getByTestId("request-action-confirm").click();
  await waitForState(page, "request-detail", "called_back", "the resident is called back");
  await page.getByTestId("request-action-close").click();
  await page.getByTestId("request-action-form").waitFor();
  await page.getByTestId("request-action-confirm").click();
  await waitForState(page, "request-detail", "closed", "the request is closed");
}
