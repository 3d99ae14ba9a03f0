import { afterAll, beforeAll } from 'vitest';
import { describeDeploy } from './stacks/deploy.js';
import { describeLitellm } from './stacks/litellm.js';
import { describeNocodb } from './stacks/nocodb.js';
import { describeOpenclaw } from './stacks/openclaw.js';
import { describeQdrant } from './stacks/qdrant.js';
import { describeRotation } from './stacks/rotate-status.js';
import { describeSmoke } from './stacks/smoke.js';
import { StackServer } from './stacks/stack-server.js';
import { describeTls } from './stacks/tls.js';
import { describeVpaiAi } from './stacks/vpai-ai.js';

/**
 * Suites that each deploy a stack with `apply --only deploy` and need nothing of a fresh server
 * but a Docker engine: deploy, smoke, rotation with status, TLS from a real ACME server, LiteLLM's
 * models, Qdrant's collections, NocoDB's S3 storage, and the whole AI server of profiles/vpai.yaml.
 * They take turns on ONE
 * sandbox server, so Docker is installed once. Each suite starts from a server with no stack
 * (every container, network, volume and /opt/homelab removed, and checked), with its own project
 * folder, profile, vault and identity; only Docker's image cache is shared. Deploy goes first, so
 * its first apply still pulls every image. One suite alone: `-t 'smoke on a sandbox server'`.
 */
const host = new StackServer('stacks');

beforeAll(() => host.start(), 600_000);
afterAll(() => host.stop());

describeDeploy(host);
describeSmoke(host);
describeRotation(host);
describeTls(host);
describeLitellm(host);
describeQdrant(host);
describeNocodb(host);
describeOpenclaw(host);
describeVpaiAi(host);
