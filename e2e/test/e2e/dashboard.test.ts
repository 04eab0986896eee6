/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard as a person sees it, in a real browser (Debian's Chromium driven by playwright-core), against the
 * network `pnpm dev` runs (same description: three workers, topic 1 every 5 s with its truth 10 s later, the
 * dashboard): the three workers with their peer ids, a new round arriving without a reload, its truth and scores
 * after the lag, chart points for every worker, the request form returning three results, and no console error.
 * Screenshots (light and dark at 1280×800, and phone width) go to e2e/.vitest/dashboard/.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_TOPICS } from "@allora/devnet";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "../../src/process-network.js";

const CHROMIUM = process.env.ALLORA_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(import.meta.dirname, "..", "..", ".vitest", "dashboard");
const TOPIC = DEFAULT_TOPICS[0] as (typeof DEFAULT_TOPICS)[number];
const WORKERS = ["worker-1", "worker-2", "worker-3"];

let net: TestNetwork;
let browser: Browser;
let page: Page;
let dashboardUrl: string;
const consoleErrors: string[] = [];
const apiRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set ALLORA_CHROMIUM`);
  }
  await mkdir(SHOTS, { recursive: true });
  net = await startTestNetwork({ workers: 3 });
  dashboardUrl = net.url("dashboard", "http").replace("127.0.0.1", "localhost");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    const path = new URL(req.url()).pathname;
    if (path.startsWith("/api/")) apiRequests.push(`${req.method()} ${path}`);
  });
  await page.goto(dashboardUrl);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await net?.dispose();
});

/** The nonces of topic 1's rounds in its table. */
const nonces = () =>
  page.$$eval(`#topic-${TOPIC.id} table.rounds tbody tr`, (rows) =>
    rows.map((r) => Number(r.getAttribute("data-nonce"))),
  );

describe("the dashboard in Chromium at 1280×800", () => {
  it("shows the three workers with their peer ids, connected and registered, and the head", async () => {
    const peerIds = WORKERS.map((w) => net.prepared.nodes.get(w)?.peerId as string);
    await page.waitForFunction(
      (n) => {
        const rows = [...document.querySelectorAll("#workers tbody tr")];
        return (
          rows.length === n &&
          rows.every((r) => r.textContent?.includes("connected") && r.textContent.includes("topic 1"))
        );
      },
      WORKERS.length,
      { timeout: 60_000 },
    );
    // innerText: the text as rendered, cells separated by tabs.
    const workerRows = page.locator("#workers tbody tr");
    const names = await workerRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-worker")));
    const rows = (await workerRows.allInnerTexts()).map((text, i) => ({ name: names[i], text }));
    expect(rows.map((r) => r.name)).toEqual(WORKERS);
    rows.forEach((row, i) => {
      expect(row.text).toContain(peerIds[i]);
      expect(row.text).not.toContain("not connected");
      expect(row.text).toMatch(/ALLO/);
    });
    // Model labels come from each worker's inference server.
    expect(rows.map((r) => r.text.split("\t")[1]?.trim())).toEqual(["trend", "naive", "noisy"]);
    const head = (await page.locator("#head-card").textContent()) ?? "";
    expect(head).toContain(net.prepared.nodes.get("head")?.peerId as string);
    expect(head).toContain("3 connected");
    await expect(page.locator("#chain-facts").textContent()).resolves.toContain("allora-localnet-1");
  });

  it("shows a new round within two cadences without a reload", async () => {
    await page.waitForFunction(
      (id) => document.querySelectorAll(`#topic-${id} table.rounds tbody tr`).length > 0,
      TOPIC.id,
      {
        timeout: 60_000,
      },
    );
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = Math.max(...(await nonces()));
    const started = Date.now();
    await page.waitForFunction(
      ([id, n]) =>
        [...document.querySelectorAll(`#topic-${id} table.rounds tbody tr`)].some(
          (r) => Number(r.getAttribute("data-nonce")) > Number(n),
        ),
      [TOPIC.id, before] as const,
      { timeout: 2 * TOPIC.cadence * 1000 },
    );
    expect(Date.now() - started).toBeLessThan(2 * TOPIC.cadence * 1000);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it("shows that round's truth and every worker's score once the lag has passed", async () => {
    const newest = Math.max(...(await nonces()));
    const row = `#topic-${TOPIC.id} table.rounds tbody tr[data-nonce="${newest}"]`;
    await page.waitForSelector(`${row}[data-status="scored"]`, { timeout: (TOPIC.lag + 2 * TOPIC.cadence) * 1000 });
    const truth = await page.getAttribute(`${row} td[data-truth]`, "data-truth");
    expect(Number(truth)).toBeGreaterThan(0);
    const cells = await page.locator(`${row} td[data-worker]`).allInnerTexts();
    expect(cells).toHaveLength(3);
    for (const cell of cells) expect(cell).toMatch(/score -?[\d.e+-]+ · [\d.,]+ ALLO/);
  });

  it("draws chart points for every worker: inferences, scores and cumulative rewards", async () => {
    const points = async (selector: string) =>
      JSON.parse((await page.getAttribute(selector, "data-points")) ?? "{}") as Record<string, number>;
    const inferences = await points(`figure[data-chart="inferences"][data-topic="${TOPIC.id}"]`);
    const scores = await points(`figure[data-chart="scores"][data-topic="${TOPIC.id}"]`);
    const rewards = await points("#rewards-chart");
    expect(inferences.truth).toBeGreaterThan(0);
    for (const w of WORKERS) {
      expect(inferences[w], `${w} inference points`).toBeGreaterThan(0);
      expect(scores[`${w} score`], `${w} score points`).toBeGreaterThan(0);
      expect(scores[`${w} EMA`], `${w} EMA points`).toBeGreaterThan(0);
      expect(rewards[w], `${w} reward points`).toBeGreaterThan(0);
    }
    // Drawn, not only computed: each chart has a canvas of the figure's width.
    const canvases = await page.$$eval("figure.chart canvas", (cs) => cs.map((c) => c.getBoundingClientRect().width));
    expect(canvases.length).toBeGreaterThanOrEqual(5);
    for (const width of canvases) expect(width).toBeGreaterThan(200);
  });

  it("sends the guide's request through the form and shows the three workers' values", async () => {
    await page.selectOption("#request-form select[name=topic]", TOPIC.id);
    await page.click("#request-form button[type=submit]");
    await page.waitForSelector("#request-results tbody tr:nth-child(3)", { timeout: 30_000 });
    expect(await page.getAttribute("#request-result [data-code]", "data-code")).toBe("200");
    const rows = (await page.locator("#request-results tbody tr").allInnerTexts()).map((text) => text.split("\t"));
    expect(rows.map((r) => r[0]).sort()).toEqual(WORKERS);
    for (const [, , value, exit, time] of rows) {
      expect(Number(value?.replaceAll(",", ""))).toBeGreaterThan(0);
      expect(exit).toBe("0");
      expect(time).toMatch(/ms$/);
    }
  });

  it("never polls: after loading, its only API traffic is the event stream and the request it was asked to send", () => {
    expect(apiRequests).toEqual(["GET /api/v1/events", "POST /api/v1/request"]);
  });

  it("serves no mnemonic or key, and offers no faucet", async () => {
    const secrets = await Promise.all(
      [...net.prepared.nodes.values()]
        .map((n) => n.paths.mnemonicFile)
        .filter((f): f is string => f !== undefined)
        .map(async (f) => (await readFile(f, "utf8")).trim()),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const assets = await page.$$eval("script[src], link[rel=stylesheet]", (els) =>
      els.map((e) => e.getAttribute("src") ?? e.getAttribute("href") ?? ""),
    );
    const served = await Promise.all(
      ["/", ...assets, "/api/v1/network"].map(async (path) => (await fetch(`${dashboardUrl}${path}`)).text()),
    );
    expect(served.join("").length).toBeGreaterThan(50_000);
    for (const text of served) {
      for (const mnemonic of secrets) expect(text).not.toContain(mnemonic);
      expect(text).not.toMatch(/\b(?:[a-z]{3,8} ){11,}[a-z]{3,8}\b/);
    }
    const buttons = await page.locator("button").allInnerTexts();
    expect(buttons).toEqual(["Send"]);
    expect((await page.content()).toLowerCase()).not.toContain("faucet");
  });

  it("saves screenshots (light, dark, phone width) and logs no console error", async () => {
    await page.screenshot({ path: join(SHOTS, "dashboard-light.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(SHOTS, "dashboard-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth + 1, undefined, {
      timeout: 5000,
    });
    await page.screenshot({ path: join(SHOTS, "dashboard-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(consoleErrors).toEqual([]);
  });
});
