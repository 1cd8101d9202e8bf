// packages/backend/src/index.ts of a Backstage backend on the new backend system: the lines Lantern
// adds are the two marked below. Type-checked by `npm run typecheck` in plugins/.
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
// Lantern: answers the frontend's reads at /api/lantern from Lantern, with the token in app-config.yaml.
backend.add(import('@lantern-security/backstage-plugin-backend'));
// Lantern, optional: Lantern's data points as Tech Insights facts. A module of the Tech Insights
// backend, so that backend is added too: backend.add(import('@backstage-community/plugin-tech-insights-backend')).
backend.add(import('@lantern-security/backstage-plugin-tech-insights-module'));
backend.start();
