/**
 * The CometBFT JSON-RPC face: JSON-RPC 2.0 over HTTP POST at `/` (single or batch), and the URI form
 * `GET /<method>?param=value` CometBFT also serves. Answers always come back as JSON-RPC responses with HTTP 200,
 * errors included, as cosmjs expects.
 */
import type { Logger } from "@allora/protocol";
import Fastify, { type FastifyInstance } from "fastify";
import { RPC_METHODS, type RpcContext, RpcError } from "./rpc-methods.js";

/** Largest request body (a base64 tx near the size limit fits). */
const RPC_BODY_LIMIT = 4 * 1024 * 1024;

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

function errorResponse(id: unknown, code: number, message: string, data: string) {
  return { jsonrpc: "2.0", id: id ?? -1, error: { code, message, data } };
}

async function dispatch(ctx: RpcContext, logger: Logger, request: JsonRpcRequest) {
  const id = request.id ?? -1;
  if (typeof request !== "object" || request === null || typeof request.method !== "string") {
    return errorResponse(id, -32600, "Invalid Request", "a JSON-RPC request needs a string method");
  }
  const method = RPC_METHODS[request.method];
  if (!method)
    return errorResponse(id, -32601, "Method not found", `method ${request.method} is not served by this chain`);
  const params =
    request.params === undefined || request.params === null
      ? {}
      : typeof request.params === "object" && !Array.isArray(request.params)
        ? (request.params as Record<string, unknown>)
        : undefined;
  if (!params) return errorResponse(id, -32602, "Invalid params", "params must be an object of named params");
  try {
    return { jsonrpc: "2.0", id, result: await method(ctx, params) };
  } catch (err) {
    if (err instanceof RpcError) return errorResponse(id, err.rpcCode, err.message, err.data);
    logger.error({ code: "INTERNAL", method: request.method, err }, "RPC method failed");
    return errorResponse(id, -32603, "Internal error", err instanceof Error ? err.message : String(err));
  }
}

/** Builds the RPC app (not listening). */
export function buildRpcApp(ctx: RpcContext, logger: Logger): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: RPC_BODY_LIMIT });
  // Parse bodies ourselves so malformed JSON gets a JSON-RPC parse error, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.post("/", async (request, reply) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(request.body ?? ""));
    } catch (err) {
      return reply.send(errorResponse(-1, -32700, "Parse error", `body is not JSON: ${(err as Error).message}`));
    }
    if (Array.isArray(parsed)) {
      return reply.send(await Promise.all(parsed.map((r) => dispatch(ctx, logger, r as JsonRpcRequest))));
    }
    return reply.send(await dispatch(ctx, logger, parsed as JsonRpcRequest));
  });

  app.get("/", async () => ({
    jsonrpc: "2.0",
    id: -1,
    result: { methods: Object.keys(RPC_METHODS).sort(), usage: "POST JSON-RPC 2.0 to / or GET /<method>?param=value" },
  }));

  app.get<{ Params: { method: string }; Querystring: Record<string, string> }>("/:method", async (request, reply) => {
    const response = await dispatch(ctx, logger, {
      id: -1,
      method: request.params.method,
      params: { ...request.query },
    });
    if ("error" in response && response.error.code === -32601) return reply.code(404).send(response);
    return reply.send(response);
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(errorResponse(-1, -32601, "Method not found", "POST JSON-RPC to / or GET /<method>"));
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) logger.error({ code: "INTERNAL", err }, "RPC request failed");
    void reply.code(status).send(errorResponse(-1, -32600, "Invalid Request", err.message));
  });
  return app;
}
