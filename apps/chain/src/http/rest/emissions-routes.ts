/**
 * The emissions queries under /emissions/v1, shaped like upstream's gRPC-gateway answers.
 */
import { MAX_SERIALIZED_MSG_BYTES } from "@allora/protocol";
import type { FastifyInstance } from "fastify";
import { ChainError } from "../../errors.js";
import { paramsToJson } from "../../genesis/params.js";
import { isAccountAddress } from "../../state/address.js";
import { type RestContext, topicOf } from "./rest-context.js";
import { ADDRESS_PARAM, ID_PARAM, paramsSchema } from "./route-schemas.js";
import { dec, inferenceJson, topicJson } from "./views.js";

export function registerEmissionsRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { chain } = ctx;
  const state = chain.state;
  const topicParams = { schema: { params: paramsSchema({ topic_id: ID_PARAM }) } };
  const topicAddressParams = { schema: { params: paramsSchema({ topic_id: ID_PARAM, address: ADDRESS_PARAM }) } };

  app.get("/emissions/v1/params", async () => ({
    params: { ...paramsToJson(chain.params), max_serialized_msg_length: String(MAX_SERIALIZED_MSG_BYTES) },
  }));

  app.get("/emissions/v1/next_topic_id", async () => ({ next_topic_id: state.nextTopicId.toString() }));

  app.get<{ Params: { topic_id: string } }>("/emissions/v1/topics/:topic_id", topicParams, async (request) => ({
    topic: topicJson(topicOf(chain, request.params.topic_id)),
  }));

  app.get<{ Params: { topic_id: string; address: string } }>(
    "/emissions/v1/worker_registered/:topic_id/:address",
    topicAddressParams,
    async (request) => {
      const topic = topicOf(chain, request.params.topic_id);
      if (!isAccountAddress(request.params.address)) {
        throw new ChainError("INVALID_ADDRESS", `"${request.params.address}" is not an allo1… address`);
      }
      return { is_registered: state.isRegistered(topic.id, request.params.address) };
    },
  );

  app.get<{ Params: { topic_id: string } }>(
    "/emissions/v1/unfulfilled_worker_nonces/:topic_id",
    topicParams,
    async (request) => {
      const topic = topicOf(chain, request.params.topic_id);
      const open = [...state.roundsOf(topic.id).values()].filter((r) => r.status === "open").reverse();
      return { nonces: { nonces: open.map((r) => ({ block_height: r.nonce.toString() })) } };
    },
  );

  app.get<{ Params: { topic_id: string } }>(
    "/emissions/v1/latest_inferences/:topic_id",
    topicParams,
    async (request) => {
      const topic = topicOf(chain, request.params.topic_id);
      const round = [...state.roundsOf(topic.id).values()].reverse().find((r) => r.inferences.size > 0);
      if (!round) {
        return {
          block_height: "0",
          inferences: { inferences: [] },
          round_status: null,
          opened_at: null,
          closes_at: null,
        };
      }
      return {
        block_height: round.nonce.toString(),
        inferences: { inferences: [...round.inferences.values()].map((i) => inferenceJson(round, i.worker, i.value)) },
        round_status: round.status,
        opened_at: new Date(round.openedAtMs).toISOString(),
        closes_at: new Date(round.closesAtMs).toISOString(),
      };
    },
  );

  app.get<{ Params: { topic_id: string; address: string } }>(
    "/emissions/v1/inferer_score_ema/:topic_id/:address",
    topicAddressParams,
    async (request) => {
      const topic = topicOf(chain, request.params.topic_id);
      const stats = state.workerStats.get(topic.id.toString())?.get(request.params.address);
      return {
        score: {
          topic_id: topic.id.toString(),
          block_height: stats?.lastScoredNonce?.toString() ?? "0",
          address: request.params.address,
          score: dec(stats?.ema) ?? "0",
        },
      };
    },
  );

  app.get<{ Params: { topic_id: string } }>(
    "/emissions/v1/latest_network_inferences/:topic_id",
    topicParams,
    async (request) => {
      const topic = topicOf(chain, request.params.topic_id);
      const round = [...state.roundsOf(topic.id).values()].reverse().find((r) => r.network !== undefined);
      if (!round?.network)
        throw new ChainError("NOT_FOUND", `topic ${topic.id} has no closed round with inferences yet`);
      const network = round.network;
      const workers = [...round.inferences.values()];
      return {
        network_inferences: {
          topic_id: topic.id.toString(),
          reputer_request_nonce: null,
          reputer: "",
          extra_data: "",
          combined_value: dec(network.combined, 8),
          inferer_values: workers.map((w) => ({ worker: w.worker, value: w.value })),
          forecaster_values: [],
          naive_value: dec(network.naive, 8),
          one_out_inferer_values: workers.map((w) => ({ worker: w.worker, value: dec(network.oneOut[w.worker], 8) })),
          one_out_forecaster_values: [],
          one_in_forecaster_values: [],
          one_out_inferer_forecaster_values: [],
        },
        inferer_weights: workers.map((w) => ({ worker: w.worker, weight: dec(network.weights[w.worker]) })),
        inference_block_height: round.nonce.toString(),
        round_status: round.status,
      };
    },
  );
}
