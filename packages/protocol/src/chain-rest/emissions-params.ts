/**
 * The chain's emissions parameters (`GET /emissions/v1/params`), for the clients that need one of them, such as the
 * registration fee a worker must be able to pay. A separate read beside {@link createChainRestClient}'s, with the
 * same failures.
 */
import { type Static, Type } from "@sinclair/typebox";
import { AlloraError, errorMessage } from "../errors.js";
import { httpCall } from "../http-client.js";
import { checkResponse } from "../rest/check-response.js";
import { ChainRequestError } from "./client.js";

/** `GET /emissions/v1/params`: the parameters clients read (the chain sends more, as strings). */
export const EmissionsParamsResponse = Type.Object({
  params: Type.Object({ registration_fee: Type.String({ pattern: "^[0-9]{1,30}$" }) }),
});
export type EmissionsParamsResponse = Static<typeof EmissionsParamsResponse>;

/**
 * The emissions parameters of the chain whose REST face is at `url`. Fails with `CHAIN_UNREACHABLE`, a
 * {@link ChainRequestError} for a non-200 answer, or `CHAIN_RESPONSE_INVALID`.
 *
 * @example
 * ```ts
 * const fee = BigInt((await readEmissionsParams("http://127.0.0.1:1317")).registration_fee)
 * ```
 */
export async function readEmissionsParams(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<EmissionsParamsResponse["params"]> {
  const base = url.replace(/\/+$/, "");
  const what = `GET ${base}/emissions/v1/params`;
  let answer: Awaited<ReturnType<typeof httpCall>>;
  try {
    answer = await httpCall(`${base}/emissions/v1/params`, {
      headers: { accept: "application/json" },
      timeoutMs: options.timeoutMs ?? 10_000,
      maxResponseBytes: 1024 * 1024,
    });
  } catch (err) {
    throw new AlloraError("CHAIN_UNREACHABLE", `the chain at ${base} did not answer: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (answer.status !== 200) throw new ChainRequestError(answer.status, undefined, what);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new AlloraError("CHAIN_RESPONSE_INVALID", `${what} did not answer JSON; is ${base} a chain's REST URL?`);
  }
  return checkResponse(EmissionsParamsResponse, body, what, "CHAIN_RESPONSE_INVALID").params;
}
