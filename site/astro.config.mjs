// Static build of the Sabaq site: `npx astro build --root site` → site/dist, served by
// the Cloudflare Worker as static assets (see site/README.md for what the Worker does).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';

/**
 * The API reference at /api/docs (workers/ops/docs.ts) is Swagger UI over /api/openapi.json.
 * Its bundle is copied from node_modules into the static assets at build time: served by us,
 * no CDN at run time, and not committed twice.
 */
const swaggerUi = {
  name: 'sabaq:swagger-ui',
  hooks: {
    'astro:build:done': ({ dir }) => {
      const from = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      const to = join(fileURLToPath(dir), 'vendor', 'swagger-ui');
      mkdirSync(to, { recursive: true });
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(from, file), join(to, file));
    },
  },
};

/**
 * Readable names for page scripts in /_astro/: the script of
 * `src/pages/[lang]/courses/[id]/index.astro` becomes `page-courses-shell.<hash>.js`
 * instead of `index.astro_astro_type_script_index_0_lang.<hash>.js`. Anything else keeps
 * Astro's name.
 */
function scriptFileName(chunk) {
  const match = /\/src\/(.+?)\.astro\?astro&type=script&index=(\d+)/.exec(chunk.facadeModuleId ?? '');
  if (!match) return `_astro/${chunk.name.replace(/\.astro_astro_type_script.*$/, '')}.[hash].js`;
  const [, file, index] = match;
  const name =
    file
      .replace(/^pages\/index$/, 'root')
      .replace(/^pages\/\[lang\]\/index$/, 'page-home')
      .replace(/^pages\/(\[lang\]\/)?/, 'page-')
      .replace(/\/\[id\]\/index$/, '-shell')
      .replace(/^components\//, '')
      .replace(/[^\w-]+/g, '-') + (index === '0' ? '' : `-${index}`);
  return `_astro/${name}.[hash].js`;
}

export default defineConfig({
  output: 'static',
  outDir: './dist',
  // `[lang]/courses.astro` → ru/courses.html (served at /ru/courses) and
  // `[lang]/index.astro` → ru/index.html (served at /ru/): the site map's URLs map onto
  // Cloudflare's default `auto-trailing-slash` HTML handling without redirects.
  build: {
    format: 'preserve',
    assets: '_astro',
    // One cacheable stylesheet instead of inlined <style> (also keeps a strict CSP possible).
    inlineStylesheets: 'never',
  },
  trailingSlash: 'ignore',
  compressHTML: true,
  devToolbar: { enabled: false },
  integrations: [swaggerUi],
  vite: {
    build: {
      // Never inline scripts into the HTML: `script-src 'self'` works and chunks are cached.
      assetsInlineLimit: 0,
    },
    environments: {
      client: { build: { rolldownOptions: { output: { entryFileNames: scriptFileName } } } },
    },
  },
});
