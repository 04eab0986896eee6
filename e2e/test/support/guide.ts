/** The request body of the allocmd guide's curl, verbatim (topic 1, argument ETH). */
export const GUIDE_BODY = {
  function_id: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
  method: "allora-inference-function.wasm",
  parameters: null,
  topic: "1",
  config: {
    env_vars: [
      { name: "BLS_REQUEST_PATH", value: "/api" },
      { name: "ALLORA_ARG_PARAMS", value: "ETH" },
    ],
    number_of_nodes: -1,
    timeout: 2,
  },
};

/** The guide's body for another topic, argument and options. */
export function guideBody(topic: string, config: Record<string, unknown> = {}, arg = "ETH") {
  return {
    ...GUIDE_BODY,
    topic,
    config: {
      ...GUIDE_BODY.config,
      env_vars: [
        { name: "BLS_REQUEST_PATH", value: "/api" },
        { name: "ALLORA_ARG_PARAMS", value: arg },
      ],
      ...config,
    },
  };
}

/** POSTs JSON (or raw text) to the head and returns status and parsed body. */
// biome-ignore lint/suspicious/noExplicitAny: specs read response fields freely and assert each one they rely on
type Json = any;

export async function post(
  base: string,
  path: string,
  body: unknown,
  raw = false,
): Promise<{ status: number; body: Json; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json;charset=UTF-8", accept: "application/json, text/plain, */*" },
    body: raw ? (body as string) : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed, ms: performance.now() - started };
}

export const EXECUTE = "/api/v1/functions/execute";
