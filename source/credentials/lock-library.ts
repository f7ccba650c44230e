/*
proper-lockfile, loaded through an import() of this module (file-lock.ts). In the CommonJS bundle
(dist/cli.js) esbuild turns an import() of a bundled module into a plain require() of the package,
where an import() of the package itself starts Node's ES module loader just for it: ~15 ms more on
every `token` that refreshes (npm run bench). Bundles of source (test fixtures) still carry it.
*/
export {default as lockfile} from 'proper-lockfile';
