/**
 * Checks an answer against its schema on the way in, so a client returns what its types say or throws a coded error
 * naming the first field that differs. Compiled checkers are kept per schema.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { AlloraError } from "../errors.js";

const checkers = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * `value` typed by `schema`, or an {@link AlloraError} with `code` naming `what` and the first mismatching field.
 *
 * @example
 * ```ts
 * const status = checkResponse(StatusResponse, JSON.parse(text), "GET /api/v1/status", "HEAD_RESPONSE_INVALID")
 * ```
 */
export function checkResponse<S extends TSchema, C extends "HEAD_RESPONSE_INVALID" | "CHAIN_RESPONSE_INVALID">(
  schema: S,
  value: unknown,
  what: string,
  code: C,
): Static<S> {
  let checker = checkers.get(schema);
  if (checker === undefined) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  if (checker.Check(value)) return value as Static<S>;
  const first = checker.Errors(value).First();
  const field = first?.path ? first.path : "the body";
  throw new AlloraError(
    code,
    `${what} answered a body that does not fit its schema: ${field} ${first?.message ?? ""}`.trim(),
    {
      details: { field: first?.path ?? "", problem: first?.message ?? "" },
    },
  );
}
