import { AlloraError, type ExecuteRequest, silentLogger } from "@allora/protocol";
import { createMetricsRegistry } from "@allora/service";
import { describe, expect, it } from "vitest";
import { buildHeadApi } from "../../src/http/app.js";

function api(
  execute: (r: ExecuteRequest) => Promise<unknown> = async () => ({ code: "200", request_id: "r", cluster: {} }),
) {
  return buildHeadApi({
    execute: execute as never,
    install: async () => ({ code: "200" }),
    result: (id) => (id === "known" ? { code: "200", request_id: "known", cluster: {} } : undefined),
    status: () => ({ peer_id: "p", addresses: [], version: "t", uptime_seconds: 0, workers: [], functions: [] }),
    metrics: createMetricsRegistry("t"),
    logger: silentLogger,
    maxBodyBytes: 4096,
  });
}

const valid = { function_id: "bafkrei", method: "m", topic: "1" };

describe("head REST API", () => {
  it("answers health like b7s", async () => {
    expect((await api().inject("/api/v1/health")).json()).toEqual({ type: "health", code: 200 });
  });

  it("passes a valid body through untouched and returns the execute response", async () => {
    let seen: unknown;
    const res = await api(async (r) => {
      seen = r;
      return { code: "200", request_id: "x", cluster: {} };
    }).inject({ method: "POST", url: "/api/v1/functions/execute", payload: { ...valid, config: { timeout: 2 } } });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual({ ...valid, config: { timeout: 2 } });
  });

  it.each([
    [{ ...valid, extra: 1 }, 'unknown field "extra"'],
    [{ ...valid, config: { timout: 2 } }, 'unknown field "config.timout"'],
    [{ method: "m" }, 'missing field "function_id"'],
    [{ ...valid, topic: 1 }, 'field "topic" must be string'],
  ])("rejects %j naming the field", async (body, message) => {
    const res = await api().inject({ method: "POST", url: "/api/v1/functions/execute", payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "REQUEST_INVALID" });
    expect(res.json().message).toContain(message);
  });

  it("maps errors thrown by the execute flow to 4xx with their code", async () => {
    const res = await api(async () => {
      throw new AlloraError("TOPIC_INVALID", "topic is required");
    }).inject({ method: "POST", url: "/api/v1/functions/execute", payload: valid });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: "TOPIC_INVALID", message: "topic is required" });
  });

  it("hides internal failures behind a 500 with a code", async () => {
    const res = await api(async () => {
      throw new Error("boom");
    }).inject({ method: "POST", url: "/api/v1/functions/execute", payload: valid });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe("INTERNAL");
  });

  it("answers malformed JSON, oversized bodies, other media types and unknown routes with codes", async () => {
    const a = api();
    const bad = await a.inject({
      method: "POST",
      url: "/api/v1/functions/execute",
      payload: "{x",
      headers: { "content-type": "application/json" },
    });
    expect([bad.statusCode, bad.json().code]).toEqual([400, "REQUEST_MALFORMED_JSON"]);
    const big = await a.inject({
      method: "POST",
      url: "/api/v1/functions/execute",
      payload: { ...valid, signature: "x".repeat(5000) },
    });
    expect([big.statusCode, big.json().code]).toEqual([413, "REQUEST_TOO_LARGE"]);
    const text = await a.inject({
      method: "POST",
      url: "/api/v1/functions/execute",
      payload: "hi",
      headers: { "content-type": "text/plain" },
    });
    expect([text.statusCode, text.json().code]).toEqual([415, "REQUEST_UNSUPPORTED_MEDIA_TYPE"]);
    const missing = await a.inject("/api/v2/nothing");
    expect([missing.statusCode, missing.json().code]).toEqual([404, "ROUTE_NOT_FOUND"]);
  });

  it("returns stored results by id and 404s unknown ones", async () => {
    const a = api();
    expect(
      (await a.inject({ method: "POST", url: "/api/v1/functions/requests/result", payload: { id: "known" } })).json()
        .request_id,
    ).toBe("known");
    const res = await a.inject({ method: "POST", url: "/api/v1/functions/requests/result", payload: { id: "nope" } });
    expect([res.statusCode, res.json().code]).toEqual([404, "REQUEST_NOT_FOUND"]);
  });
});
