// Starts Swagger UI on /api/docs (a file, not an inline script: the CSP allows only 'self').
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: false });
});
