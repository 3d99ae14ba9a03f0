// scratch (not committed): a converged bench server kept for manual measurements until SIGTERM
import { writeFileSync } from 'node:fs';
import { openBed } from './bed.mjs';
import { makeProject } from './project.mjs';
const repo = new URL('../..', import.meta.url).pathname;
const bed = await openBed(repo, console.log);
await bed.setUp();
const servers = await bed.start(['solo']);
const project = await makeProject(repo, bed, servers);
const first = await project.cli(['apply', '--only', 'harden,deploy', '--accept-new-host-keys']);
console.log('converge', first.code, first.ms);
writeFileSync('/tmp/keep.json', JSON.stringify({ dir: project.dir, profile: project.profileName, identity: project.identity, key: bed.privateKeyPath, container: servers[0].container, address: servers[0].address }));
console.log('READY');
const stop = async () => { await bed.tearDown(); project.remove(); process.exit(0); };
process.on('SIGTERM', stop); process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
