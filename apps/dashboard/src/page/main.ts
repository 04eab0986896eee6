/**
 * The dashboard page: one live stream from its server (Server-Sent Events), rendered into the network, topics,
 * per-topic charts and rounds, cumulative rewards, and the request form. The page never polls; the countdown to the
 * next round is computed locally from the last pushed view.
 */
import "./styles.css";
import type { ExecuteResponse } from "@allora/protocol";
import type { ChainRoundView, ErrorBody, NetworkView, RequestResult, SnapshotEvent, TopicPanel } from "../views.js";
import { type ChartData, createLineChart, type LineChart, type SeriesSpec } from "./charts.js";
import { byId, fill, h } from "./dom.js";
import {
  alloNumber,
  formatAllo,
  formatAlloShort,
  formatDuration,
  formatMetric,
  formatNs,
  formatPrice,
  formatTick,
  formatTime,
} from "./format.js";
import {
  applyNetwork,
  applyRound,
  applySnapshot,
  createState,
  roundsOf,
  serverNowSeconds,
  type WorkerRef,
  workerRefs,
} from "./state.js";

const state = createState();
/** Rounds shown in each topic's table. */
const ROUNDS_SHOWN = 6;
const fresh = new Set<string>();

// ---------------------------------------------------------------------------------------------------------------
// Stream

function connect(): void {
  const live = byId("live");
  const source = new EventSource("/api/v1/events");
  source.addEventListener("snapshot", (e) => {
    applySnapshot(state, JSON.parse((e as MessageEvent<string>).data) as SnapshotEvent);
    live.dataset.state = "live";
    live.textContent = "live";
    render();
  });
  source.addEventListener("network", (e) => {
    applyNetwork(state, JSON.parse((e as MessageEvent<string>).data) as NetworkView);
    render();
  });
  source.addEventListener("round", (e) => {
    const round = JSON.parse((e as MessageEvent<string>).data) as ChainRoundView;
    if (applyRound(state, round)) fresh.add(`${round.topic_id}/${round.nonce}`);
    render();
  });
  source.addEventListener("error", () => {
    // EventSource reconnects by itself (the server sets `retry`); say so meanwhile.
    live.dataset.state = "down";
    live.textContent = "reconnecting…";
  });
}

let scheduled = false;
function render(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderNow();
  });
}

function renderNow(): void {
  const network = state.network;
  if (!network) return;
  const refs = workerRefs(state);
  renderHeader(network);
  renderNodes(network, refs);
  renderTopics(network);
  for (const topic of network.topics) renderTopicSection(topic, refs);
  renderRewards(refs);
  renderRequestTopics(network);
  fill(
    byId("footer"),
    `allora-dashboard ${network.version} · chain REST ${network.chain.url} · head ${network.head.url} · pushed by the server, at most once per block`,
  );
  fresh.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// Header, nodes, workers, topics

function fact(label: string, value: string, title?: string) {
  return h("div", {}, h("dt", {}, label), h("dd", title ? { title } : {}, value));
}

function renderHeader(network: NetworkView): void {
  const c = network.chain;
  fill(
    byId("chain-facts"),
    fact("chain", c.chain_id ?? "–"),
    fact("height", c.height ? Number(c.height).toLocaleString("en-US") : "–"),
    fact("block time", c.block_time_ms ? `${(c.block_time_ms / 1000).toFixed(c.block_time_ms % 1000 ? 1 : 0)} s` : "–"),
    fact("last block", formatTime(c.latest_block_time)),
  );
}

function reach(ok: boolean, error?: { code: string; message: string }) {
  return ok
    ? h("span", { class: "chip ok" }, "reachable")
    : h("span", { class: "chip no", title: error?.message }, error?.code ?? "unreachable");
}

/** One row of a node card: the term, its value, and the value's attributes. */
type CardRow = [term: string, value: string | number | Node, attrs?: Record<string, string | undefined>];

/** A node's card: its title over a definition list of its rows. */
function nodeCard(id: string, title: string, rows: readonly CardRow[]): HTMLDivElement {
  const list = rows.flatMap(([term, value, attrs]) => [h("dt", {}, term), h("dd", attrs ?? {}, value)]);
  return h("div", { class: "card", id }, h("h3", {}, title), h("dl", {}, ...list));
}

function renderNodes(network: NetworkView, refs: WorkerRef[]): void {
  const { head, chain } = network;
  fill(
    byId("node-cards"),
    nodeCard("head-card", "Head", [
      ["status", reach(head.reachable, head.error)],
      ["peer id", head.peer_id ?? "–", { class: "mono", title: head.peer_id }],
      ["version", head.version ?? "–"],
      ["workers", head.workers_connected === undefined ? "–" : `${head.workers_connected} connected`],
      ["uptime", head.uptime_seconds === undefined ? "–" : formatDuration(head.uptime_seconds)],
    ]),
    nodeCard("chain-card", "Chain", [
      ["status", reach(chain.reachable, chain.error)],
      ["chain id", chain.chain_id ?? "–"],
      ["height", chain.height ?? "–"],
      ["REST", chain.url, { class: "mono" }],
    ]),
  );
  const colorOf = new Map(refs.map((r) => [r.key, r.color]));
  const body = byId("workers").querySelector("tbody") as HTMLTableSectionElement;
  fill(
    body,
    ...network.workers.map((w) => {
      const ema = Object.entries(w.standing)
        .map(([topic, s]) => `${topic}: ${formatMetric(s.ema_score)}`)
        .join("  ");
      return h(
        "tr",
        { "data-worker": w.name, "data-peer-id": w.peer_id },
        h(
          "td",
          {},
          h("span", { class: "swatch", "data-color": colorOf.get(w.address ?? w.key) }),
          h("strong", {}, w.name),
          w.version ? h("span", { class: "muted" }, ` v${w.version}`) : null,
        ),
        h("td", {}, w.model ?? h("span", { class: "muted" }, "–")),
        h("td", {}, w.peer_id ? h("code", { class: "peer", title: w.peer_id }, w.peer_id) : "–"),
        h(
          "td",
          {},
          w.connected
            ? h(
                "span",
                { class: "chip ok", title: `subscribed to ${w.subscribed.join(", ") || "nothing yet"}` },
                "connected",
              )
            : h("span", { class: "chip no" }, "not connected"),
        ),
        h(
          "td",
          {},
          w.registered.length
            ? w.registered.map((t) => `topic ${t}`).join(", ")
            : h("span", { class: "chip no" }, "not registered"),
        ),
        h("td", { class: "num" }, ema || "–"),
        h("td", { class: "num", title: `${w.cumulative_reward} uallo` }, formatAllo(w.cumulative_reward)),
        h("td", { class: "num", title: w.balance ? `${w.balance} uallo` : undefined }, formatAllo(w.balance)),
      );
    }),
  );
  // Swatch colors through the CSSOM (the page's CSP allows no inline style attributes).
  for (const swatch of body.querySelectorAll<HTMLElement>(".swatch")) {
    swatch.style.background = swatch.dataset.color ?? "transparent";
  }
}

function countdownText(topic: TopicPanel): string {
  if (!topic.next_round_at) return "–";
  const left = Date.parse(topic.next_round_at) / 1000 - serverNowSeconds(state);
  return left > 0 ? `in ${formatDuration(left)}` : "opening…";
}

function renderTopics(network: NetworkView): void {
  const body = byId("topics").querySelector("tbody") as HTMLTableSectionElement;
  fill(
    body,
    ...network.topics.map((t) =>
      h(
        "tr",
        { "data-topic": t.id },
        h("td", {}, h("strong", {}, `${t.id} · ${t.token}`), h("span", { class: "muted" }, `  ${t.metadata}`)),
        h("td", { class: "num" }, `${t.cadence_seconds} s`),
        h("td", { class: "num" }, `${t.lag_seconds} s`),
        h("td", { class: "num" }, `${t.window_seconds} s`),
        h("td", { class: "num" }, t.workers),
        h("td", { class: "num" }, t.rounds_scored),
        h("td", {}, t.last_round_nonce ? `#${t.last_round_nonce} at ${formatTime(t.last_round_opened_at)}` : "–"),
        h("td", { class: "num countdown", "data-next": t.next_round_at ?? "" }, countdownText(t)),
      ),
    ),
  );
}

/** The countdown ticks locally; nothing is fetched. */
function tickCountdowns(): void {
  for (const cell of document.querySelectorAll<HTMLElement>("#topics .countdown")) {
    const topic = state.network?.topics.find((t) => t.next_round_at === (cell.dataset.next || null));
    if (topic) cell.textContent = countdownText(topic);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Per topic: charts and rounds

interface TopicView {
  section: HTMLElement;
  inferences: LineChart;
  scores: LineChart;
  rounds: HTMLTableSectionElement;
  head: HTMLTableRowElement;
}
const topicViews = new Map<string, TopicView>();

function topicView(topic: TopicPanel): TopicView {
  let view = topicViews.get(topic.id);
  if (view) return view;
  const inferFigure = h("figure", { class: "chart", "data-chart": "inferences", "data-topic": topic.id });
  const scoreFigure = h("figure", { class: "chart", "data-chart": "scores", "data-topic": topic.id });
  inferFigure.append(h("figcaption", {}, `Inferences and truth (${topic.token})`));
  scoreFigure.append(h("figcaption", {}, "Score (dots) and EMA score (line) per worker"));
  const headRow = h("tr");
  const rounds = h("tbody");
  const section = h(
    "section",
    { class: "panel topic", id: `topic-${topic.id}`, "aria-label": `topic ${topic.id}` },
    h("h2", {}, `Topic ${topic.id} · ${topic.metadata}`),
    h("p", { class: "hint" }, `A round every ${topic.cadence_seconds} s; its truth ${topic.lag_seconds} s later.`),
    h("div", { class: "topic-grid" }, inferFigure, scoreFigure),
    h("h3", {}, "Live rounds"),
    h(
      "div",
      { class: "table-wrap" },
      h("table", { class: "rounds", "aria-label": `rounds of topic ${topic.id}` }, h("thead", {}, headRow), rounds),
    ),
  );
  byId("topic-sections").append(section);
  view = {
    section,
    rounds,
    head: headRow,
    inferences: createLineChart(inferFigure, {
      yLabel: topic.token,
      format: (v) => formatPrice(String(v)),
      tick: formatTick,
    }),
    scores: createLineChart(scoreFigure, { yLabel: "score", format: (v) => formatMetric(String(v)), tick: formatTick }),
  };
  topicViews.set(topic.id, view);
  return view;
}

const seconds = (iso: string) => Date.parse(iso) / 1000;
const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

function renderTopicSection(topic: TopicPanel, refs: WorkerRef[]): void {
  const view = topicView(topic);
  const rounds = roundsOf(state, topic.id);
  const inRounds = refs.filter((r) => rounds.some((round) => round.workers.some((w) => w.address === r.key)));

  // Inferences vs truth, at the time each inference is for (the round's truth time).
  const inferSeries: SeriesSpec[] = [
    { label: "truth", color: getComputedStyle(document.documentElement).getPropertyValue("--fg").trim(), width: 2.5 },
    { label: "network", color: "#94a3b8", dash: true, width: 1.5 },
    ...inRounds.map((r) => ({ label: r.name, color: r.color })),
  ];
  const inferData: ChartData = [
    rounds.map((r) => seconds(r.truth_at)),
    rounds.map((r) => num(r.truth)),
    rounds.map((r) => num(r.network_inference)),
    ...inRounds.map((ref) => rounds.map((r) => num(r.workers.find((w) => w.address === ref.key)?.value))),
  ];
  view.inferences.update(inferSeries, inferData);

  const scored = rounds.filter((r) => r.status === "scored");
  const scoreSeries: SeriesSpec[] = inRounds.flatMap((r) => [
    { label: `${r.name} score`, color: r.color, pointsOnly: true },
    { label: `${r.name} EMA`, color: r.color, width: 2 },
  ]);
  const scoreData: ChartData = [
    scored.map((r) => seconds(r.truth_at)),
    ...inRounds.flatMap((ref) => {
      const of = (r: ChainRoundView) => r.workers.find((w) => w.address === ref.key);
      return [scored.map((r) => num(of(r)?.score)), scored.map((r) => num(of(r)?.ema_score))];
    }),
  ];
  view.scores.update(scoreSeries, scoreData);

  // Rounds table: newest first; one column per worker.
  fill(
    view.head,
    h("th", {}, "Round"),
    h("th", {}, "Status"),
    h("th", {}, "Opened"),
    ...inRounds.map((r) => h("th", { class: "num" }, r.name)),
    h("th", { class: "num" }, "Network"),
    h("th", { class: "num" }, "Truth"),
    h("th", { class: "num" }, "Reward"),
  );
  fill(
    view.rounds,
    ...rounds
      .slice(-ROUNDS_SHOWN)
      .reverse()
      .map((round) =>
        h(
          "tr",
          {
            class: fresh.has(`${round.topic_id}/${round.nonce}`) ? "new" : undefined,
            "data-nonce": round.nonce,
            "data-status": round.status,
          },
          h("td", {}, `#${round.nonce}`),
          h("td", {}, h("span", { class: `chip ${round.status}` }, round.status)),
          h("td", {}, formatTime(round.opened_at)),
          ...inRounds.map((ref) => {
            const w = round.workers.find((x) => x.address === ref.key);
            if (!w) return h("td", { class: "val muted" }, "–");
            const detail =
              w.score === null
                ? "waiting for the truth"
                : `loss ${formatMetric(w.loss)} · score ${formatMetric(w.score)} · EMA ${formatMetric(w.ema_score)} · reward ${formatAllo(w.reward)}`;
            return h(
              "td",
              { class: "val", title: detail, "data-worker": ref.name },
              formatPrice(w.value),
              w.score === null
                ? null
                : h("div", { class: "muted" }, `score ${formatMetric(w.score)} · ${formatAlloShort(w.reward)}`),
            );
          }),
          h("td", { class: "val" }, formatPrice(round.network_inference)),
          h(
            "td",
            { class: "val", "data-truth": round.truth ?? "" },
            round.truth === null
              ? h("span", { class: "muted" }, `at ${formatTime(round.truth_at)}`)
              : formatPrice(round.truth),
          ),
          h(
            "td",
            { class: "val", title: round.reward_total === null ? undefined : formatAllo(round.reward_total) },
            round.reward_total === null ? "–" : formatAlloShort(round.reward_total),
          ),
        ),
      ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rewards

let rewards: LineChart | undefined;

function renderRewards(refs: WorkerRef[]): void {
  rewards ??= createLineChart(byId("rewards-chart"), {
    yLabel: "ALLO",
    format: (v) => `${v.toFixed(4)} ALLO`,
    tick: formatTick,
  });
  const scored = [...state.rounds.values()]
    .flatMap((held) => [...held.values()])
    .filter((r) => r.status === "scored")
    .sort((a, b) => seconds(a.truth_at) - seconds(b.truth_at));
  const withRewards = refs.filter(
    (r) => r.panel !== undefined || scored.some((s) => s.workers.some((w) => w.address === r.key)),
  );
  // The chain's total for each worker, minus what the kept rounds paid, is what it had earned before them.
  const series = withRewards.map((ref) => {
    const earned = scored.reduce(
      (sum, r) => sum + BigInt(r.workers.find((w) => w.address === ref.key)?.reward ?? "0"),
      0n,
    );
    const total = ref.panel ? BigInt(ref.panel.cumulative_reward) : earned;
    let running = total - earned > 0n ? total - earned : 0n;
    return scored.map((r) => {
      running += BigInt(r.workers.find((w) => w.address === ref.key)?.reward ?? "0");
      return alloNumber(running);
    });
  });
  rewards.update(
    withRewards.map((r) => ({ label: r.name, color: r.color, width: 2 })),
    [scored.map((r) => seconds(r.truth_at)), ...series],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Request form

function renderRequestTopics(network: NetworkView): void {
  const select = (byId<HTMLFormElement>("request-form").elements.namedItem("topic") as HTMLSelectElement) ?? undefined;
  const wanted = network.topics.map((t) => t.id).join(",");
  if (select.dataset.topics === wanted) return;
  const current = select.value;
  fill(select, ...network.topics.map((t) => h("option", { value: t.id }, `${t.id} · ${t.token}`)));
  select.dataset.topics = wanted;
  if (current && network.topics.some((t) => t.id === current)) select.value = current;
}

/** The inference a worker printed: main.py prints `{"infererValue": "…"}` as its last JSON line. */
function infererValueOf(stdout: string): string {
  for (const line of stdout.trim().split("\n").reverse()) {
    try {
      const parsed = JSON.parse(line) as { infererValue?: unknown };
      if (parsed && typeof parsed === "object" && parsed.infererValue !== undefined) return String(parsed.infererValue);
    } catch {
      // not JSON: keep looking
    }
  }
  return stdout.trim().slice(0, 80) || "(no output)";
}

function nameOfPeer(peer: string): string {
  return state.network?.workers.find((w) => w.peer_id === peer)?.name ?? `${peer.slice(0, 12)}…`;
}

function renderResult(result: RequestResult): HTMLElement {
  const response: ExecuteResponse = result.response;
  const rows = (response.results ?? []).flatMap((group) =>
    group.peers.map((peer) =>
      h(
        "tr",
        { "data-peer": peer },
        h("td", {}, h("strong", {}, nameOfPeer(peer))),
        h("td", {}, h("code", { class: "peer", title: peer }, peer)),
        h("td", { class: "num" }, formatPrice(infererValueOf(group.result.stdout))),
        h("td", { class: "num" }, group.result.exit_code),
        h("td", { class: "num" }, formatNs(response.usage?.[peer]?.wall_clock_time)),
      ),
    ),
  );
  const failures = Object.entries(response.failures ?? {}).map(([peer, f]) =>
    h("li", { class: "error" }, `${nameOfPeer(peer)}: ${f.code}: ${f.message}`),
  );
  return h(
    "div",
    { "data-code": response.code },
    h(
      "div",
      { class: "result-head" },
      h("span", { class: `code c${response.code}${response.code === "200" ? "" : " bad"}` }, response.code),
      h("span", {}, result.code_meaning),
      h(
        "span",
        { class: "muted" },
        `${rows.length} result${rows.length === 1 ? "" : "s"} in ${result.elapsed_ms.toFixed(0)} ms`,
      ),
      h("span", { class: "muted mono" }, `request ${response.request_id}`),
    ),
    response.message ? h("p", {}, response.message) : null,
    rows.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { id: "request-results" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, "Worker"),
                h("th", {}, "Peer id"),
                h("th", { class: "num" }, "Value"),
                h("th", { class: "num" }, "Exit"),
                h("th", { class: "num" }, "Run time"),
              ),
            ),
            h("tbody", {}, ...rows),
          ),
        )
      : null,
    failures.length ? h("ul", {}, ...failures) : null,
  );
}

function setUpForm(): void {
  const form = byId<HTMLFormElement>("request-form");
  const out = byId("request-result");
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  field("topic").addEventListener("change", () => {
    const topic = state.network?.topics.find((t) => t.id === field("topic").value);
    if (topic) field("arg").value = topic.token;
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button") as HTMLButtonElement;
    const body = {
      topic: field("topic").value,
      arg: field("arg").value.trim(),
      number_of_nodes: Number(field("number_of_nodes").value),
      timeout: Number(field("timeout").value),
    };
    button.disabled = true;
    fill(out, h("p", { class: "muted" }, "sending…"));
    void fetch("/api/v1/request", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    })
      .then(async (res) => {
        const json = (await res.json()) as RequestResult | ErrorBody;
        if (!res.ok || !("response" in json)) {
          const err = json as ErrorBody;
          fill(out, h("p", { class: "error", "data-error": err.code }, h("strong", {}, err.code), `: ${err.message}`));
          return;
        }
        fill(out, renderResult(json));
      })
      .catch((err: unknown) => fill(out, h("p", { class: "error" }, `the dashboard did not answer: ${String(err)}`)))
      .finally(() => {
        button.disabled = false;
      });
  });
}

setUpForm();
connect();
setInterval(tickCountdowns, 250);
