// Node module hooks that let the Worker's module graph load in Node just far enough to build
// the OpenAPI document: workerd-only imports become inert stand-ins (nothing here runs a route).
export async function resolve(specifier, context, next) {
  if (specifier === 'cloudflare:workers') return { url: 'sabaq-stub:cloudflare-workers', shortCircuit: true };
  if (specifier.endsWith('.ttf')) return { url: `sabaq-stub:binary?${encodeURIComponent(specifier)}`, shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url === 'sabaq-stub:cloudflare-workers') {
    return {
      format: 'module',
      source: 'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }',
      shortCircuit: true,
    };
  }
  if (url.startsWith('sabaq-stub:binary')) return { format: 'module', source: 'export default new ArrayBuffer(0);', shortCircuit: true };
  return next(url, context);
}
