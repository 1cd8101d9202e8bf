import { Type } from 'typebox';
import { requireReadable } from '../auth.js';
import { NotFoundError } from '../../domain/errors.js';
import { parseScope } from '../../domain/scope.js';
import { gateMarkdown, gateVariant } from '../../insights/gate.js';
import type { Lantern } from '../../lantern.js';
import { findTarget } from '../../store/targets.js';
import { errors, NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

const GateResultSchema = Type.Object({
  passed: Type.Boolean(),
  policy: Type.String({ description: 'The named policy, or the rules, the gate applied' }),
  target: Type.String(),
  scope: Type.String(),
  variant: Type.String(),
  baseline: NullableString,
  rules: Type.Array(Type.Object({ rule: Type.String(), violations: Type.Integer() })),
  violations: Type.Array(
    Type.Object({
      rules: Type.Array(Type.String()),
      issue: Type.Object({}, { additionalProperties: true, description: 'The issue as an entity issue list shows it (kev, epss, priorityReason, sla, exempted, isNew)' }),
    }),
  ),
  exempted: Type.Integer({ description: 'Issues that break a rule but an approved exemption covers' }),
  markdown: Type.String({ description: 'The summary for a pull-request comment' }),
});

/** The CI gate (lantern gate --server): a variant's issues against a policy, with the server's SLA and gate configuration. */
export async function gateRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  api.post(
    '/gate',
    {
      schema: {
        summary: "Evaluates a variant's issues against a gate policy: new issues against its baseline, KEV, SLA, EPSS; approved exemptions honoured",
        tags: ['insights'],
        body: Type.Object(
          {
            target: Type.String({ minLength: 1, maxLength: 512 }),
            variant: Type.String({ minLength: 1, maxLength: 512 }),
            scope: Type.Optional(Type.String({ maxLength: 300, description: 'ORG.PROJECT or account; default default.default' })),
            failOn: Type.Optional(Type.String({ maxLength: 500, description: 'A policy name of the config file, or rules: new:SEVERITY, kev, sla-breached, epss>=X; default the policy of the target\'s scope' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: GateResultSchema, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { target: name, variant, scope, failOn } = request.body;
      const target = await findTarget(lantern.store.db, parseScope(scope ?? 'default.default'), name);
      const notFound = () => new NotFoundError(`No target ${JSON.stringify(name)} in ${scope ?? 'default.default'}.`);
      if (!target) throw notFound();
      requireReadable(request, target.scope, notFound);
      const result = await gateVariant(lantern.store.db, target, variant, failOn, { now: lantern.now(), sla: lantern.sla, gates: lantern.gates });
      return { ...result, violations: result.violations.map(({ issue, rules }) => ({ rules, issue })), markdown: gateMarkdown(result) };
    },
  );
}
