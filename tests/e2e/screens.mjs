// Every screen of every demo role, for the checks that look at all of them:
// the visible-text test (tests/e2e/visible-text.test.mjs) and the screenshot
// review (tests/screenshots.mjs). Not a test file itself (no `.test.`).

import { openTab, signIn, waitFor } from "./harness.mjs";

/** One demo account per role (README's table), in the order a reviewer reads them. */
export const DEMO_ROLES = [
  ["guard-a", "guard"],
  ["squad", "squad leader"],
  ["security", "security supervisor"],
  ["service-a", "zone service"],
  ["service-lead", "service supervisor"],
  ["frontdesk", "front desk"],
  ["engineering", "engineering supervisor"],
  ["repair-a", "repair staff"],
  ["cleaning", "cleaning supervisor"],
  ["environment", "environment supervisor"],
  ["deputy", "deputy head"],
  ["head", "office head"],
  ["admin", "IT administrator"],
];

/** Waits until the screen stops changing (renders settle after a sync). */
async function settled(page) {
  let last = "";
  let same = 0;
  await waitFor(
    async () => {
      const text = await page.locator("body").innerText();
      same = text === last ? same + 1 : 0;
      last = text;
      return same >= 2;
    },
    { timeout: 10_000, interval: 150, message: "the screen settles" },
  );
}

/**
 * Signs `username` in on `page` and calls `visit(name)` on each of their
 * screens: every tab, the administration's sections, and one request's
 * detail where there is one. `name` is e.g. "requests" or "admin/zones".
 */
export async function visitScreens(page, url, username, visit) {
  await signIn(page, url, username);
  await settled(page);
  const tabs = await page.locator("[role=tab][data-testid^=tab-]").evaluateAll((buttons) =>
    buttons.map((button) => button.dataset.testid.slice("tab-".length)),
  );
  if (tabs.length === 0) {
    await visit("home");
    return;
  }
  for (const tab of tabs) {
    await openTab(page, tab);
    await settled(page);
    await visit(tab);
    if (tab === "admin") {
      for (const section of ["zones", "audit", "staff"]) {
        await page.getByTestId(`admin-section-${section}`).click();
        await settled(page);
        await visit(`admin/${section}`);
      }
    }
    if (tab === "requests") {
      const row = page.getByTestId("request-row").first();
      if (await row.count()) {
        await row.click();
        await page.getByTestId("request-detail").waitFor();
        await settled(page);
        await visit("requests/detail");
        await page.getByTestId("request-back").click();
      }
    }
  }
}
