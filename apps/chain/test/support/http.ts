/**
 * Small JSON HTTP helpers for REST and raw JSON-RPC calls.
 */
export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

export async function postJson<T = Record<string, unknown>>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The CheckTx answer of broadcast_tx_sync for raw tx bytes. */
export async function broadcastRaw(
  rpcUrl: string,
  tx: Uint8Array,
): Promise<{ code: number; codespace: string; log: string; hash: string }> {
  const { body } = await postJson<{ result: { code: number; codespace: string; log: string; hash: string } }>(rpcUrl, {
    jsonrpc: "2.0",
    id: 1,
    method: "broadcast_tx_sync",
    params: { tx: Buffer.from(tx).toString("base64") },
  });
  return body.result;
}
