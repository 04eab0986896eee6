export { GUIDE_BODY, guideBody } from "../../src/guide-body.js";

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
