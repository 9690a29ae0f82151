// The OpenAPI document (generated from the routes' zod schemas) and its UI at /docs.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export default fp<{ publicUrl: string }>(
  async (app, { publicUrl }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'carebinder API',
          version: '0.1.0',
          description:
            "A cancer patient's records from every linked hospital portal, filed the way the patient leaflet asks. " +
            'Sign in with POST /api/session; the session cookie authenticates every other /api route.',
        },
        servers: [{ url: publicUrl }],
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'carebinder_session' } } },
        security: [{ session: [] }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'docs' },
);
