/**
 * The CometBFT 0.38 JSON shapes of the chain's blocks, txs and node status, exactly as cosmjs' comet38 (and, for
 * `status`, tendermint37) response decoders read them: heights and gas as strings, hashes as upper-case hex, tx
 * bytes and data as base64, event attributes as plain strings.
 */
import { sha256 } from "@cosmjs/crypto";
import { toBase64, toHex } from "@cosmjs/encoding";
import type { BlockMeta, Chain } from "../../chain/chain.js";
import type { IndexedTx } from "../../chain/tx-index.js";
import type { TxResult } from "../../tx/tx-result.js";

/** CometBFT version the chain reports (cosmjs picks its comet38 client from the "0.38." prefix). */
export const COMET_VERSION = "0.38.17";

/** Who this node says it is. */
export interface NodeIdentity {
  /** 40 lower-case hex characters. */
  nodeId: string;
  moniker: string;
  /** 40 upper-case hex characters. */
  validatorAddress: string;
  /** Base64 of a 32-byte ed25519-sized key (the chain has no real consensus key). */
  validatorPubkey: string;
}

function hashHex(text: string): string {
  return toHex(sha256(new TextEncoder().encode(text))).toUpperCase();
}

const EMPTY_HASH = hashHex("");

export function makeNodeIdentity(chainId: string, moniker: string): NodeIdentity {
  return {
    nodeId: hashHex(`node:${chainId}:${moniker}`).slice(0, 40).toLowerCase(),
    moniker,
    validatorAddress: hashHex(`validator:${chainId}`).slice(0, 40),
    validatorPubkey: toBase64(sha256(new TextEncoder().encode(`validator-key:${chainId}`))),
  };
}

/** RFC 3339 with nanoseconds, as CometBFT writes times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function blockIdOf(hash: string) {
  return hash
    ? { hash, parts: { total: 1, hash: hashHex(`parts:${hash}`) } }
    : { hash: "", parts: { total: 0, hash: "" } };
}

function blockIdJson(meta: BlockMeta) {
  return blockIdOf(meta.hash);
}

export function headerJson(chain: Chain, meta: BlockMeta, identity: NodeIdentity) {
  const prev = chain.block(meta.height - 1n);
  return {
    version: { block: "11", app: "0" },
    chain_id: chain.chainId,
    height: meta.height.toString(),
    time: rfc3339(meta.timeMs),
    last_block_id: blockIdOf(meta.prevHash),
    last_commit_hash: meta.prevHash ? hashHex(`commit:${meta.prevHash}`) : EMPTY_HASH,
    data_hash: meta.txHashes.length > 0 ? hashHex(meta.txHashes.join(",")) : EMPTY_HASH,
    validators_hash: hashHex(`validators:${identity.validatorAddress}`),
    next_validators_hash: hashHex(`validators:${identity.validatorAddress}`),
    consensus_hash: hashHex("consensus"),
    // As in CometBFT, a header carries the app hash left by the previous block.
    app_hash: prev?.appHash ?? chain.genesis.hash.toUpperCase(),
    last_results_hash: EMPTY_HASH,
    evidence_hash: EMPTY_HASH,
    proposer_address: identity.validatorAddress,
  };
}

export function blockJson(chain: Chain, meta: BlockMeta, identity: NodeIdentity) {
  return {
    block_id: blockIdJson(meta),
    block: {
      header: headerJson(chain, meta, identity),
      data: { txs: meta.txHashes.map((h) => toBase64(chain.tx(h)?.bytes ?? new Uint8Array())) },
      evidence: { evidence: [] },
      last_commit: {
        height: (meta.height - 1n).toString(),
        round: 0,
        block_id: blockIdOf(meta.prevHash),
        signatures: [],
      },
    },
  };
}

export function blockMetaJson(chain: Chain, meta: BlockMeta, identity: NodeIdentity) {
  return {
    block_id: blockIdJson(meta),
    block_size: String(meta.size + 512),
    header: headerJson(chain, meta, identity),
    num_txs: String(meta.txHashes.length),
  };
}

export function txResultJson(result: TxResult) {
  return {
    code: result.code,
    data: toBase64(result.data),
    log: result.log,
    info: "",
    gas_wanted: result.gasWanted.toString(),
    gas_used: result.gasUsed.toString(),
    events: result.events,
    codespace: result.codespace,
  };
}

export function txJson(tx: IndexedTx) {
  return {
    hash: tx.hash,
    height: tx.height.toString(),
    index: tx.index,
    tx_result: txResultJson(tx.result),
    tx: toBase64(tx.bytes),
  };
}

export function statusJson(chain: Chain, identity: NodeIdentity, rpcAddress: string) {
  const latest = chain.latestBlock();
  const earliest = chain.block(1n);
  const genesisHash = chain.genesis.hash.toUpperCase();
  return {
    node_info: {
      protocol_version: { p2p: "8", block: "11", app: "0" },
      id: identity.nodeId,
      listen_addr: "tcp://0.0.0.0:26656",
      network: chain.chainId,
      version: COMET_VERSION,
      channels: "40202122233038606100",
      moniker: identity.moniker,
      other: { tx_index: "on", rpc_address: rpcAddress },
    },
    sync_info: {
      latest_block_hash: latest?.hash ?? genesisHash,
      latest_app_hash: latest?.appHash ?? genesisHash,
      latest_block_height: chain.height().toString(),
      latest_block_time: rfc3339(chain.latestTimeMs()),
      earliest_block_hash: earliest?.hash ?? genesisHash,
      earliest_app_hash: earliest?.appHash ?? genesisHash,
      earliest_block_height: earliest ? "1" : "0",
      earliest_block_time: rfc3339(earliest?.timeMs ?? chain.genesis.genesisTimeMs),
      catching_up: false,
    },
    validator_info: {
      address: identity.validatorAddress,
      pub_key: { type: "tendermint/PubKeyEd25519", value: identity.validatorPubkey },
      voting_power: "10",
    },
  };
}
