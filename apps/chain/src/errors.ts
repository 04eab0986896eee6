/**
 * The chain's errors. The catalogue itself (`CHAIN_ERRORS`: code name -> codespace, ABCI code, HTTP status, log
 * suffix, meaning, remedy) lives in `@allora/protocol`, so clients read the chain's refusals back by the same names;
 * here is the chain's side: a {@link ChainError} that renders as the Cosmos triple.
 */
import { AlloraError, CHAIN_ERRORS, type ChainErrorCode, type ChainErrorInfo } from "@allora/protocol";

export type { ChainErrorCode, ChainErrorInfo };

/** The Cosmos-shaped result of a failure: what tx results and error bodies carry. */
export interface AbciError {
  code: number;
  codespace: string;
  log: string;
}

/** A failure with a catalogue code; `log` is the Cosmos-style text clients see. */
export class ChainError extends AlloraError<ChainErrorCode> {
  override readonly name = "ChainError";

  get info(): ChainErrorInfo {
    return CHAIN_ERRORS[this.code];
  }

  /** `"<message>: <short text>"`, as the SDK wraps errors. */
  get log(): string {
    return `${this.message}: ${this.info.suffix}`;
  }

  /** The `{code, codespace, log}` triple. */
  toAbci(prefix = ""): AbciError {
    return { code: this.info.code, codespace: this.info.codespace, log: `${prefix}${this.log}` };
  }
}

/** True when `err` is a {@link ChainError}. */
export function isChainError(err: unknown): err is ChainError {
  return err instanceof ChainError;
}
