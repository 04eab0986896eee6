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

/** The execute's code: 200 when the share of chosen workers with a result reaches `threshold`, 206 for some, 204 for none. */
export function resultCodeOf(results: number, chosen: number, threshold: number): "200" | "206" | "204" {
  const ratio = chosen === 0 ? 0 : results / chosen;
  return ratio >= threshold ? "200" : ratio > 0 ? "206" : "204";
}
