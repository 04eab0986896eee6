/**
 * This network's own views under /allora/localnet/v1: topics, workers ranked by reward, recent rounds with their
 * scoring, health, and the price feed (the past only).
 */
import type { FastifyInstance } from "fastify";
import { ChainError } from "../../errors.js";
import { MAX_PRICE_POINTS } from "../../market/market.js";
import { TOKEN_PATTERN } from "../../topics/topic-rules.js";
import { type RestContext, topicOf } from "./rest-context.js";
import { ID_PARAM, paramsSchema, UINT_QUERY } from "./route-schemas.js";
import { recentRounds, roundJson, topicJson, workersJson } from "./views.js";

/** Rounds returned when the caller gives no limit, and the most it may ask for. */
const DEFAULT_ROUNDS = 10;
const MAX_ROUNDS = 100;
/** Price points returned when the caller gives no `from`. */
const DEFAULT_PRICE_POINTS = 300;

export function registerLocalnetRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { chain } = ctx;
  const state = chain.state;

  app.get("/allora/localnet/v1/topics", async () => ({
    topics: [...state.topics.values()].map((topic) => {
      const rounds = [...state.roundsOf(topic.id).values()];
      return {
        ...topicJson(topic),
        workers: String(state.registrationsOf(topic.id).size),
        open_rounds: rounds.filter((r) => r.status === "open").map((r) => r.nonce.toString()),
        rounds_scored: String(rounds.filter((r) => r.status === "scored").length),
      };
    }),
  }));

  app.get<{ Params: { id: string } }>(
    "/allora/localnet/v1/topics/:id/workers",
    { schema: { params: paramsSchema({ id: ID_PARAM }) } },
    async (request) => {
      const topic = topicOf(chain, request.params.id);
      return { topic_id: topic.id.toString(), workers: workersJson(state, topic.id) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    "/allora/localnet/v1/topics/:id/rounds",
    {
      schema: {
        params: paramsSchema({ id: ID_PARAM }),
        querystring: { type: "object", properties: { limit: UINT_QUERY }, additionalProperties: false },
      },
    },
    async (request) => {
      const topic = topicOf(chain, request.params.id);
      const limit = Math.min(Math.max(Number(request.query.limit ?? DEFAULT_ROUNDS), 1), MAX_ROUNDS);
      return { topic_id: topic.id.toString(), rounds: recentRounds(chain, topic.id, limit).map(roundJson) };
    },
  );

  app.get("/allora/localnet/v1/health", async (_request, reply) => {
    const latest = chain.latestBlock();
    const ageMs = latest ? Date.now() - latest.timeMs : Number.POSITIVE_INFINITY;
    // Healthy while blocks keep coming: a few block times of slack absorb a slow fsync or a busy event loop.
    const healthy = ctx.producing() && ageMs <= Math.max(5 * ctx.blockTimeMs, 5000);
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? "ok" : ctx.producing() ? "stalled" : "stopped",
      chain_id: chain.chainId,
      height: chain.height().toString(),
      latest_block_time: latest ? new Date(latest.timeMs).toISOString() : null,
      block_time_ms: String(ctx.blockTimeMs),
      mempool_txs: String(chain.mempoolSize()),
    });
  });

  app.get<{ Params: { token: string }; Querystring: { from?: string; to?: string; step?: string } }>(
    "/allora/localnet/v1/prices/:token",
    {
      schema: {
        params: paramsSchema({ token: { type: "string", minLength: 1, maxLength: 32 } }),
        querystring: {
          type: "object",
          properties: { from: UINT_QUERY, to: UINT_QUERY, step: UINT_QUERY },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { token } = request.params;
      if (!TOKEN_PATTERN.test(token)) {
        throw new ChainError("PRICE_QUERY_INVALID", `token "${token}" must be 1 to 16 letters or digits, e.g. ETH`);
      }
      // "Now" is the last block's time: the feed never gets ahead of the chain whose rounds it scores.
      const now = Math.floor(chain.latestTimeMs() / 1000);
      const step = Number(request.query.step ?? 1);
      if (step < 1 || step > 86_400)
        throw new ChainError("PRICE_QUERY_INVALID", `step must be 1 to 86400 seconds, got ${step}`);
      const requestedTo = request.query.to === undefined ? now : Number(request.query.to);
      const to = Math.min(requestedTo, now);
      const from =
        request.query.from === undefined ? to - (DEFAULT_PRICE_POINTS - 1) * step : Number(request.query.from);
      if (from > requestedTo) {
        throw new ChainError("PRICE_QUERY_INVALID", `from ${from} is after to ${requestedTo}`);
      }
      if (from > to) {
        // Entirely in the future: no past to serve. Empty rather than an error, so a client whose clock runs a
        // block ahead of the chain is not refused when it asks for "the last second".
        const empty = { token: token.toUpperCase(), from: String(from), to: String(to), step: String(step) };
        return { ...empty, clipped_to_now: true, truncated: false, prices: [] };
      }
      const points = Math.floor((to - from) / step) + 1;
      const truncated = points > MAX_PRICE_POINTS;
      const start = truncated ? to - (MAX_PRICE_POINTS - 1) * step : from;
      const prices: Array<{ time: string; price: string }> = [];
      for (let t = start; t <= to; t += step) prices.push({ time: String(t), price: chain.market.priceAt(token, t) });
      return {
        token: token.toUpperCase(),
        from: String(start),
        to: String(to),
        step: String(step),
        clipped_to_now: requestedTo > now,
        truncated,
        prices,
      };
    },
  );
}
