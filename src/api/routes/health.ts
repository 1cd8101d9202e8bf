import { sql } from 'kysely';
import { Type } from 'typebox';
import { UnavailableError } from '../../domain/errors.js';
import type { Lantern } from '../../lantern.js';
import { POSTGRES_RETRY_AFTER_SECONDS } from '../../store/unavailable.js';
import { errors } from '../schemas.js';
import type { LanternApp } from '../server.js';

/** How long readiness waits for the database's answer: a load balancer's check must not hang. */
export const READY_TIMEOUT_MS = 2_000;

const Ready = Type.Object({ status: Type.Literal('ok'), database: Type.String() });

/**
 * Liveness (the process answers: restart it if not) and readiness (the database answers: send it
 * traffic only if so). A database outage fails readiness, never liveness, so that an orchestrator
 * does not restart every replica while PostgreSQL restarts.
 */
export async function healthRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  const ready = async () => {
    await answersWithin(lantern, READY_TIMEOUT_MS);
    return { status: 'ok' as const, database: lantern.store.dialect };
  };
  const readySchema = { tags: ['health'], response: { 200: Ready, ...errors(503) } };
  api.get('/health/live', {
    schema: { summary: 'Liveness: answers while the process runs, without asking the database', tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));
  api.get('/health/ready', { schema: { summary: `Readiness: answers once the database answers a bare query within ${READY_TIMEOUT_MS / 1000} s; 503 otherwise`, ...readySchema } }, ready);
  api.get('/health', { schema: { summary: 'Readiness, as /api/health/ready', ...readySchema } }, ready);
}

async function answersWithin(lantern: Lantern, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(`The database did not answer within ${timeoutMs / 1000} seconds; Lantern retries by itself — try again in ${POSTGRES_RETRY_AFTER_SECONDS} seconds.`, POSTGRES_RETRY_AFTER_SECONDS)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([sql`select 1`.execute(lantern.store.db), late]);
  } finally {
    clearTimeout(timer);
  }
}
