// wrangler, astro and vitest need Node >= 22.12. The project pins Node 24 through the
// npm `node` package; npm scripts then run on node_modules/.bin/node. If that binary is
// missing (for example `npm install --ignore-scripts`), say so instead of failing later.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Sabaq needs Node >= 22.12 but this script runs on Node ${process.versions.node}.\n` +
      'The project pins Node 24 through the npm "node" package: run `npm install` ' +
      '(without --ignore-scripts) and start it through `npm start` / `npm test`.',
  );
  process.exit(1);
}
