/**
 * The project's README.md: what the files are, the commands from first test to production, and where secrets live.
 */
import type { ProjectConfig } from "../config/schema.js";

/** The text of a new project's README.md. */
export function renderReadme(config: ProjectConfig): string {
  return `# ${config.name}

An Allora worker for topic${config.topics.length > 1 ? "s" : ""} ${config.topics.map((t) => t.id).join(", ")}, made with \`allocmd\`.
The worker answers inference requests by running \`main.py\`; put your model there (or behind the inference
service it calls).

${filesSection(config)}
${commandsSection(config)}
## Production

Set the network in \`config.yaml\` (\`prod:\` boot nodes, chain RPC and REST), then:

\`\`\`sh
allocmd init --env prod         # writes prod-docker-compose.yaml; your services from the dev file come along
\`\`\`

Copy the project to the server, with \`${config.worker.keys}/\`, \`${config.worker.mnemonic_file}\` and \`.env\` (never through git), and run
\`docker-compose -f prod-docker-compose.yaml up --build -d\` there. \`allocmd status --env prod\` shows how it does.

## Secrets

No compose file and no config file holds a secret. The key folder is mounted read-only, the mnemonic is given to the
container as a secret file, and the container runs as the (non-root) owner of both. \`allocmd doctor\` checks that
the files are present, loadable and readable by their owner only.
`;
}

/** The table of the project's files: what each is and whether it is the user's to edit. */
function filesSection(config: ProjectConfig): string {
  return `## Files

| file | what it is | yours to edit? |
| --- | --- | --- |
| \`config.yaml\` | the one source of truth: name, topics, image version, ports, the prod network | yes |
| \`main.py\` | your inference logic; the worker runs it for every request | yes |
| \`requirements.txt\` | Python packages main.py needs (installed into the image) | yes |
| \`Dockerfile\` | your worker image: \`FROM ${config.image.repository}/worker:${config.image.version}\` + main.py | generated |
| \`dev-docker-compose.yaml\` | a local chain, head, sample inference server and this worker | generated; edits are kept |
| \`prod-docker-compose.yaml\` | this worker joining the prod network (after \`allocmd init --env prod\`) | generated; edits are kept |
| \`${config.worker.keys}/\` | the worker's libp2p identity (private key) | secret, never commit |
| \`${config.worker.mnemonic_file}\` | the worker's chain mnemonic (mode 0600) | secret, never commit |
| \`.env\` | secrets of your own services, and the uid the container runs as | secret, never commit |
| \`state/\` | the worker's local state | local |
| \`.allocmd/\` | hashes of generated files, so regenerating never overwrites your edits | allocmd's |
`;
}

/** The commands from a first offline test to a scored inference, and joining a running network. */
function commandsSection(config: ProjectConfig): string {
  const topic = config.topics[0]?.id ?? 1;
  const arg = config.topics[0]?.arg ?? "ETH";
  return `## From a first test to a scored inference

\`\`\`sh
allocmd test --arg ${arg}          # run main.py offline, exactly as the worker will, and check its output
allocmd run --native            # start the local network as processes (no Docker); Ctrl-C or allocmd stop ends it
allocmd run                     # or with Docker: build the image, start the network, wait until this worker serves
allocmd request --topic ${topic}       # send an inference request: every worker's value and timing
allocmd status                  # head, registration, latest inference, score, balance
allocmd topic ${topic}                 # every worker of the topic, ranked by reward
allocmd logs --follow           # the network's logs
allocmd stop                    # stop it (state is kept; --volumes wipes the local chain)
\`\`\`

Join a network that is already running on this machine (e.g. \`pnpm dev\` of the Allora localnet) instead:

\`\`\`sh
allocmd run --join /ip4/127.0.0.1/tcp/9010
\`\`\`
`;
}
