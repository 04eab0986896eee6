/**
 * The request form's way to the head: the form's fields become the guide's execute request, which is checked
 * against the head's own schema (`ExecuteRequest` of `@allora/protocol`) before it is sent. Nothing of the browser's
 * request but those fields is forwarded: no headers, no other body fields, no other route.
 */
import {
  AlloraError,
  createHeadClient,
  ExecuteRequest,
  HeadRequestError,
  makeGuideExecuteRequest,
  ResultCodeMeaning,
} from "@allora/protocol";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { RequestForm, RequestResult } from "../views.js";

const checkExecuteRequest = TypeCompiler.Compile(ExecuteRequest);

/** Seconds beyond the roll call that a request may take: the worker's function timeout (20 s) and some slack. */
const EXECUTION_ALLOWANCE_S = 25;

/** Sends a form to the head. */
export type RequestProxy = (form: RequestForm) => Promise<RequestResult>;

/** A proxy to the head at `headUrl`. */
export function createRequestProxy(headUrl: string): RequestProxy {
  return async (form) => {
    const sent = makeGuideExecuteRequest({
      topic: form.topic,
      arg: form.arg,
      ...(form.number_of_nodes === undefined ? {} : { numberOfNodes: form.number_of_nodes }),
      ...(form.timeout === undefined ? {} : { timeout: form.timeout }),
    });
    if (!checkExecuteRequest.Check(sent)) {
      const first = checkExecuteRequest.Errors(sent).First();
      throw new AlloraError(
        "REQUEST_INVALID",
        `the request would not be valid for the head: ${first?.path} ${first?.message}`,
      );
    }
    const timeoutMs = ((form.timeout ?? 2) + EXECUTION_ALLOWANCE_S) * 1000;
    const head = createHeadClient(headUrl, { timeoutMs });
    const started = performance.now();
    try {
      const response = await head.execute(sent);
      return {
        sent,
        response,
        code_meaning: ResultCodeMeaning[response.code],
        elapsed_ms: Math.round((performance.now() - started) * 10) / 10,
      };
    } catch (err) {
      if (err instanceof HeadRequestError && err.status >= 500) {
        throw new AlloraError("HEAD_FAILED", `the head failed: ${err.body.code}: ${err.body.message}`);
      }
      if (err instanceof HeadRequestError) {
        // The head refused the request: its own code (HeadRequestError keeps it when it is one of the network's) and message.
        throw new AlloraError(err.code, `the head refused the request: ${err.body.message}`, {
          details: { head_status: err.status },
        });
      }
      const code = (err as { code?: string }).code === "HTTP_TIMEOUT" ? "HEAD_TIMEOUT" : "HEAD_UNREACHABLE";
      throw new AlloraError(code, `${(err as Error).message}`, { cause: err });
    }
  };
}
