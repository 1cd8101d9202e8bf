import { entityPath, entityRefOf, type LanternEntityName } from './entity';
import { issueSearchParams, type IssueQuery } from './issue-query';
import type { EntitySummary, IssueDetail, IssuePage } from './types';

export type FetchLike = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}>;

export interface LanternClientOptions {
  /**
   * Where the insights routes are: Lantern's own `https://lantern.acme.io/api/insights`, or the
   * backend plugin's base URL, which answers the same paths.
   */
  baseUrl: string;
  fetch: FetchLike;
  /** A Lantern API token, sent as a bearer token; only ever given on a backend. */
  token?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** A read Lantern (or the backend plugin) refused or could not answer; `status` is the HTTP status to pass on. */
export class LanternRequestError extends Error {
  override readonly name = 'LanternRequestError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Lantern's error body `{"error": {"message"}}`, or the status alone. */
async function errorMessage(response: { status: number; text(): Promise<string> }): Promise<string | undefined> {
  try {
    const body: unknown = JSON.parse(await response.text());
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function isSummary(body: unknown): body is EntitySummary {
  const s = body as Partial<EntitySummary> | null;
  return typeof s === 'object' && s !== null && typeof s.hasData === 'boolean' && typeof s.counts === 'object' && s.counts !== null && Array.isArray(s.links);
}

function isIssuePage(body: unknown): body is IssuePage {
  const p = body as Partial<IssuePage> | null;
  return typeof p === 'object' && p !== null && Array.isArray(p.items) && typeof p.total === 'number';
}

function isIssue(body: unknown): body is IssueDetail {
  const i = body as Partial<IssueDetail> | null;
  return typeof i === 'object' && i !== null && typeof i.id === 'number' && typeof i.targetId === 'number';
}

/** Reads an entity's security summary, issues and one issue from Lantern's insights API. */
export class LanternClient {
  private readonly baseUrl: string;
  constructor(private readonly options: LanternClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  summary(entity: LanternEntityName): Promise<EntitySummary> {
    return this.read(`${entityPath(entity)}/summary`, isSummary, 'an entity summary');
  }

  issues(entity: LanternEntityName, query: IssueQuery | URLSearchParams = {}): Promise<IssuePage> {
    const params = query instanceof URLSearchParams ? query : issueSearchParams(query);
    const search = params.toString();
    return this.read(`${entityPath(entity)}/issues${search ? `?${search}` : ''}`, isIssuePage, 'a page of issues');
  }

  /** One issue, its source links pointing into `entity`'s repository. */
  issue(id: number, entity: LanternEntityName): Promise<IssueDetail> {
    return this.read(`/issues/${id}?entity=${encodeURIComponent(entityRefOf(entity))}`, isIssue, 'an issue');
  }

  private async read<T>(path: string, valid: (body: unknown) => body is T, what: string): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await this.options.fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'did not answer in time' : 'could not be reached';
      throw new LanternRequestError(`Lantern at ${this.baseUrl} ${reason}.`, 502);
    }
    if (!response.ok) {
      const message = await errorMessage(response);
      throw new LanternRequestError(message ?? `Lantern answered HTTP ${response.status} for ${path}.`, response.status);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new LanternRequestError(`Lantern at ${this.baseUrl} answered ${path} with something that is not JSON: expected ${what}.`, 502);
    }
    if (!valid(body)) throw new LanternRequestError(`Lantern at ${this.baseUrl} answered ${path} with something that is not ${what}.`, 502);
    return body;
  }
}
