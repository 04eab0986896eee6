/**
 * The head's routes as data: the head registers them, and clients (the CLI, tests, other apps) call them through
 * {@link createHeadClient}, so paths and schemas exist once.
 */
import type { TSchema } from "@sinclair/typebox";
import { AlloraError, isAlloraErrorCode } from "../errors.js";
import { httpCall } from "../http-client.js";
import { checkResponse } from "./check-response.js";
import {
  type ErrorResponse,
  ExecuteRequest,
  ExecuteResponse,
  HealthResponse,
  InstallRequest,
  InstallResponse,
  ResultRequest,
  StatusResponse,
} from "./schemas.js";

/** One route: method, URL and the schemas of its body and its 200 response. */
export interface RouteDefinition {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly body: TSchema | undefined;
  readonly response: TSchema;
  readonly summary: string;
}

/** Every route of the head's REST API. */
export const HeadRoutes = {
  health: {
    method: "GET",
    url: "/api/v1/health",
    body: undefined,
    response: HealthResponse,
    summary: "Liveness: answers as soon as the REST server is up",
  },
  execute: {
    method: "POST",
    url: "/api/v1/functions/execute",
    body: ExecuteRequest,
    response: ExecuteResponse,
    summary: "Roll call the topic's workers, run the function on the chosen ones, return their aggregated results",
  },
  install: {
    method: "POST",
    url: "/api/v1/functions/install",
    body: InstallRequest,
    response: InstallResponse,
    summary: "Announce a function package to the workers of a topic so they install it ahead of time",
  },
  result: {
    method: "POST",
    url: "/api/v1/functions/requests/result",
    body: ResultRequest,
    response: ExecuteResponse,
    summary: "The stored response of an earlier execute request, by request id",
  },
  status: {
    method: "GET",
    url: "/api/v1/status",
    body: undefined,
    response: StatusResponse,
    summary: "The head's peer id, addresses, connected workers and their topics",
  },
} as const satisfies Record<string, RouteDefinition>;

/** The names of the head's routes. */
export type HeadRouteName = keyof typeof HeadRoutes;

/**
 * A non-2xx answer from the head: an {@link AlloraError} whose `code` is the head's own (`TOPIC_INVALID`,
 * `REQUEST_INVALID`, …) or `HTTP_<status>` when the answer had no `{code, message}` body, with the HTTP `status` and
 * the parsed `body`.
 */
export class HeadRequestError extends AlloraError {
  override readonly name = "HeadRequestError";
  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The head's `{code, message}` error body (made up from the status and text when it sent none). */
    readonly body: ErrorResponse,
  ) {
    super(
      isAlloraErrorCode(body.code) ? body.code : `HTTP_${status}`,
      `head answered HTTP ${status} ${body.code.slice(0, 100)}: ${body.message.slice(0, 500)}`,
      { details: { status, head_code: body.code } },
    );
  }
}

/** Options for {@link createHeadClient}. */
export interface HeadClientOptions {
  /** Milliseconds before a call is abandoned (default 15 minutes: longer than any execute a request may ask for). */
  timeoutMs?: number;
}

/** A typed client for the head's routes, one method per entry of {@link HeadRoutes}. */
export interface HeadClient {
  health(): Promise<HealthResponse>;
  execute(body: ExecuteRequest): Promise<ExecuteResponse>;
  install(body: InstallRequest): Promise<InstallResponse>;
  result(body: ResultRequest): Promise<ExecuteResponse>;
  status(): Promise<StatusResponse>;
}

/**
 * A typed client for a head node at `baseUrl`. Answers are checked against the route's response schema: a body of
 * another shape throws `HEAD_RESPONSE_INVALID` naming the field, a non-2xx answer {@link HeadRequestError}, a
 * network failure `HTTP_UNREACHABLE` / `HTTP_TIMEOUT`.
 *
 * @example
 * ```ts
 * const head = createHeadClient("http://localhost:6000")
 * const res = await head.execute({ function_id: "bafy…", method: "allora-inference-function.wasm", topic: "1" })
 * console.log(res.code, res.results)
 * ```
 */
export function createHeadClient(baseUrl: string, options: HeadClientOptions = {}): HeadClient {
  const timeoutMs = options.timeoutMs ?? 900_000;
  const base = baseUrl.replace(/\/+$/, "");
  const call = async (name: HeadRouteName, body?: unknown): Promise<unknown> => {
    const def = HeadRoutes[name];
    const url = `${base}${def.url}`;
    // node:http, not fetch: fetch refuses the head's default port 6000.
    const res = await httpCall(url, {
      method: def.method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs,
    });
    let parsed: unknown;
    try {
      parsed = res.text.length > 0 ? JSON.parse(res.text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const err =
        parsed !== null &&
        typeof parsed === "object" &&
        typeof (parsed as { code?: unknown }).code === "string" &&
        typeof (parsed as { message?: unknown }).message === "string"
          ? (parsed as ErrorResponse)
          : { code: `HTTP_${res.status}`, message: res.text.slice(0, 500) };
      throw new HeadRequestError(res.status, err);
    }
    return checkResponse(def.response, parsed, `${def.method} ${url}`, "HEAD_RESPONSE_INVALID");
  };
  const client: Record<string, (body?: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(HeadRoutes) as HeadRouteName[]) {
    client[name] = (body?: unknown) => call(name, body);
  }
  return client as unknown as HeadClient;
}
