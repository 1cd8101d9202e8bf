import type { BackstageCredentials, HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import type { EntityReadCheck, LanternReads } from './lantern-reads';

/** Asks Backstage's permission framework whether the caller may read the entity (`catalog.entity.read`). */
export function catalogReadCheck(permissions: PermissionsService): EntityReadCheck<BackstageCredentials> {
  return async (entityRef, credentials) => {
    const [decision] = await permissions.authorize([{ permission: catalogEntityReadPermission, resourceRef: entityRef }], { credentials });
    return decision?.result === AuthorizeResult.ALLOW;
  };
}

export function createRouter(options: { httpAuth: HttpAuthService; reads: LanternReads<BackstageCredentials> }): express.Router {
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get(/^\/(entities|issues)\//, async (req, res, next) => {
    try {
      const credentials = await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
      const answer = await options.reads.read({ path: req.path, query: req.query as Record<string, unknown> }, credentials);
      if (answer.cached !== undefined) res.setHeader('x-lantern-cache', answer.cached ? 'hit' : 'miss');
      res.status(answer.status).json(answer.body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
