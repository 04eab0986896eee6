/**
 * Boot node addresses: a multiaddr with a host (`/ip4`, `/ip6`, `/dns`, `/dns4`, `/dns6`) and `/tcp/<port>`. The
 * `/p2p/<peer id>` part is optional: a worker learns the head's id in the handshake, so no file ever needs a head's
 * peer id pasted in.
 */
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";

/**
 * Why `value` is not a usable boot node, or undefined when it is.
 *
 * @example
 * ```ts
 * checkBootNode("/dns4/head/tcp/9010") // undefined
 * checkBootNode("head:9010")           // '"head:9010" is not a multiaddr (…); expected e.g. /ip4/127.0.0.1/tcp/9010 …'
 * ```
 */
export function checkBootNode(value: string): string | undefined {
  let addr: Multiaddr;
  try {
    addr = multiaddr(value);
  } catch (err) {
    return `"${value}" is not a multiaddr (${(err as Error).message}); expected e.g. /ip4/127.0.0.1/tcp/9010 or /dns4/head/tcp/9010`;
  }
  const names = addr.getComponents().map((c) => c.name);
  if (!names.includes("tcp"))
    return `"${value}" has no /tcp/<port> part; expected e.g. /dns4/head.example.org/tcp/9010`;
  if (!names.some((n) => ["ip4", "ip6", "dns", "dns4", "dns6"].includes(n))) {
    return `"${value}" has no /ip4, /ip6 or /dns4 host part; expected e.g. /ip4/203.0.113.7/tcp/9010`;
  }
  return undefined;
}

/**
 * Checks that a string looks like a libp2p peer id (base58btc, as `12D3KooW…`), for options that list trusted peers.
 * Returns a problem description, or undefined when it does.
 *
 * @example
 * ```ts
 * checkPeerId("12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf") // undefined
 * checkPeerId("head")                                                  // '"head" is not a libp2p peer id'
 * ```
 */
export function checkPeerId(value: string): string | undefined {
  return /^[1-9A-HJ-NP-Za-km-z]{40,128}$/.test(value) ? undefined : `"${value}" is not a libp2p peer id`;
}
