/**
 * b7s aggregation: identical `{stdout, stderr, exit_code}` outputs are grouped with the peers that produced them
 * and their share in percent, most frequent first (ties keep the order peers answered in).
 */
import type { AggregatedResult, RuntimeOutput } from "@allora/protocol";

/** Groups per-peer outputs. */
export function aggregateResults(outputs: ReadonlyArray<{ peer: string; output: RuntimeOutput }>): AggregatedResult[] {
  const groups = new Map<string, AggregatedResult>();
  for (const { peer, output } of outputs) {
    const key = JSON.stringify([output.stdout, output.stderr, output.exit_code]);
    const group = groups.get(key);
    if (group) group.peers.push(peer);
    else groups.set(key, { result: { ...output }, peers: [peer], frequency: 0 });
  }
  const total = outputs.length;
  const results = [...groups.values()];
  for (const r of results) r.frequency = total === 0 ? 0 : (100 * r.peers.length) / total;
  return results.sort((a, b) => b.peers.length - a.peers.length);
}
