/**
 * The libp2p host heads and workers run: TCP + Noise + Yamux, gossipsub for roll calls, identify and ping.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { PrivateKey } from "@libp2p/interface";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p, type Libp2p } from "libp2p";

/** The services every host carries. */
export type HostServices = {
  pubsub: GossipSub;
  identify: Identify;
  ping: Ping;
};

/** The shortest time a connection's ping may take before the connection is judged dead. */
const PING_TIMEOUT_MIN_MS = 30_000;

/** A started libp2p host. */
export type P2pHost = Libp2p<HostServices>;

/** Options of {@link createP2pHost}. */
export interface P2pHostOptions {
  privateKey: PrivateKey;
  /** Listen multiaddrs, e.g. `/ip4/0.0.0.0/tcp/9010`. */
  listen: readonly string[];
  /** Addresses to advertise instead of the listen ones (public IP or DNS name behind NAT or in containers). */
  announce?: readonly string[];
}

/**
 * Creates and starts a host. Publishing to a topic nobody is known to subscribe yet is allowed (the head then
 * simply gets no roll-call answers), so a roll call never throws for lack of peers.
 */
export async function createP2pHost(options: P2pHostOptions): Promise<P2pHost> {
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: {
      listen: [...options.listen],
      ...(options.announce && options.announce.length > 0 ? { announce: [...options.announce] } : {}),
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 512 },
    // A connection whose ping takes longer than this is aborted. libp2p's floor is 5 s, which a loaded machine (a
    // hundred workers starting their warm processes on two cores) exceeds: half the workers lost their head at once.
    // A peer that dies closes its sockets and is seen at once; the ping is for links that go silent.
    connectionMonitor: { pingTimeout: { minTimeout: PING_TIMEOUT_MIN_MS } },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        floodPublish: true,
        emitSelf: false,
        // Gossipsub's own default. Publishing never waits for a heartbeat (floodPublish sends at once); the heartbeat
        // only keeps the mesh and gossips message ids, and each one costs every idle node CPU.
        heartbeatInterval: 1000,
        // Many nodes share one IP here (the dev network on loopback, containers behind one NAT, a hundred workers on
        // one machine): with gossipsub's default IP-colocation penalty, past ten peers on one address every one of
        // them is graylisted and its subscriptions ignored, so the head saw only the first dozen workers. A peer is
        // known by its key (pinned trust), not its address.
        scoreParams: { IPColocationFactorWeight: 0 },
      }),
    },
  });
}
