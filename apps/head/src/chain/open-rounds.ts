/**
 * The rounds a topic has open on the chain, as its REST face lists them (`GET
 * /emissions/v1/unfulfilled_worker_nonces/{topic}`), read with the project's HTTP client.
 */
import { AlloraError, httpCall } from "@allora/protocol";

/** The block heights (nonces) of the topic's open rounds. Throws when the chain does not answer in `timeoutMs`. */
export async function readOpenNonces(rest: string, topic: string, timeoutMs: number): Promise<Set<string>> {
  const url = `${rest}/emissions/v1/unfulfilled_worker_nonces/${encodeURIComponent(topic)}`;
  const res = await httpCall(url, { timeoutMs, headers: { accept: "application/json" }, maxResponseBytes: 1 << 20 });
  if (res.status !== 200) {
    throw new AlloraError(`HTTP_${res.status}`, `GET ${url} answered HTTP ${res.status}: ${res.text.slice(0, 200)}`);
  }
  let body: { nonces?: { nonces?: Array<{ block_height?: unknown }> } };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    throw new AlloraError("CHAIN_RESPONSE_INVALID", `GET ${url} did not answer JSON`);
  }
  return new Set((body?.nonces?.nonces ?? []).map((n) => String(n.block_height)));
}
