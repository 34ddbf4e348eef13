/**
 * GET /api/docs: the API reference, Swagger UI over the same /api/openapi.json the routes
 * generate. The page and its scripts are our own static assets (copied from swagger-ui-dist at
 * site build, see site/astro.config.mjs), so it needs nothing from the internet.
 */
export const API_DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sabaq API reference</title>
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
<script src="/vendor/swagger-ui/swagger-ui-bundle.js" defer></script>
<script src="/vendor/api-docs.js" defer></script>
</head>
<body>
<noscript>The reference needs JavaScript; the document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
<div id="docs"></div>
</body>
</html>
`;
