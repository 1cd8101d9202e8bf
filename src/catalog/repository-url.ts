/**
 * The one place that knows repository URLs: which host a URL is on, the name of the repository
 * target it implies (DESIGN.md: Implicit repository target) and the link to a file and lines in
 * it (DESIGN.md: Source links).
 */

export const REPOSITORY_HOSTS = ['github', 'gitlab', 'bitbucket', 'bitbucket-server', 'azure-devops', 'harness', 'other'] as const;
export type RepositoryHost = (typeof REPOSITORY_HOSTS)[number];

export interface Repository {
  host: RepositoryHost;
  /** Web address of the repository root: no trailing slash, no `.git`. */
  url: string;
  /** Name of the implicit repository target: `owner/repo`, `group/sub/repo`, `org/project/repo`. */
  name: string;
  /** Branch or tag the URL points into (`…/tree/main/…`), or the one given with it. */
  ref?: string;
  /** Folder of a monorepo the entity lives in: no leading or trailing slash. */
  subdirectory?: string;
}

export interface RepositoryHints {
  /** `spec.sourceCode.provider` of a harness.io/v1 entity: Github, Gitlab, Bitbucket, AzureRepo, Harness. */
  provider?: string | undefined;
  /** `spec.sourceCode.branch`: wins over a branch read from the URL. */
  branch?: string | undefined;
  /** `spec.sourceCode.monoReposubDirectoryPath`: wins over a folder read from the URL. */
  subdirectory?: string | undefined;
}

/** Path segments after which a GitLab URL no longer names the repository. */
const GITLAB_STOPS = new Set(['-', 'tree', 'blob', 'src', 'browse']);

/**
 * Reads a repository URL (web, clone, or `git@host:owner/repo.git`); undefined when it names no
 * repository (not a URL, or too few path segments).
 */
export function parseRepositoryUrl(text: string, hints: RepositoryHints = {}): Repository | undefined {
  const url = toUrl(text.trim());
  if (!url) return undefined;
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
  const origin = `https://${url.hostname}`;
  const parsed = readByHost(hostOf(url, segments, hints.provider), url, origin, segments);
  if (!parsed) return undefined;
  const ref = hints.branch?.trim() || parsed.ref;
  const subdirectory = trimSlashes(hints.subdirectory ?? '') || parsed.subdirectory;
  return {
    ...parsed,
    ...(ref ? { ref } : {}),
    ...(subdirectory ? { subdirectory } : {}),
  };
}

function toUrl(text: string): URL | undefined {
  // scp-like clone address: git@github.com:acme/payments.git
  const scp = /^(?:[\w.-]+@)?([\w.-]+\.[\w.-]+):(?!\/\/)(.+)$/.exec(text);
  const candidate = scp ? `ssh://${scp[1]}/${scp[2]}` : text;
  try {
    const url = new URL(candidate);
    return ['http:', 'https:', 'ssh:', 'git:'].includes(url.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function hostOf(url: URL, segments: string[], provider: string | undefined): RepositoryHost {
  const host = url.hostname.toLowerCase();
  if (harnessRepoIndex(segments) >= 0 || host === 'git.harness.io') return 'harness';
  const hinted = (provider ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (hinted.startsWith('azure') || host === 'dev.azure.com' || host === 'ssh.dev.azure.com' || host.endsWith('.visualstudio.com')) {
    return 'azure-devops';
  }
  if (hinted === 'github' || host.includes('github')) return 'github';
  if (hinted === 'gitlab' || host.includes('gitlab')) return 'gitlab';
  if (hinted.startsWith('bitbucket') || host.includes('bitbucket')) {
    // Bitbucket Server / Data Center: /projects/P/repos/R/browse/… and /scm/p/r.git
    const server = segments[0] === 'projects' || segments[0] === 'scm';
    return server ? 'bitbucket-server' : 'bitbucket';
  }
  if (hinted === 'harness' || hinted === 'harnesscode') return 'harness';
  return 'other';
}

type Parsed = Omit<Repository, 'ref' | 'subdirectory'> & { ref?: string | undefined; subdirectory?: string | undefined };

function readByHost(host: RepositoryHost, url: URL, origin: string, segments: string[]): Parsed | undefined {
  switch (host) {
    case 'gitlab':
      return readGitLab(origin, segments);
    case 'bitbucket-server':
      return readBitbucketServer(url, origin, segments);
    case 'azure-devops':
      return readAzureDevOps(url, segments);
    case 'harness':
      return readHarness(url, origin, segments);
    case 'github':
    case 'bitbucket':
    case 'other':
      return readOwnerRepo(host, origin, segments);
  }
}

/** GitHub, Bitbucket Cloud and most hosts: the first two path segments. */
function readOwnerRepo(host: RepositoryHost, origin: string, segments: string[]): Parsed | undefined {
  const [owner, repoSegment, ...rest] = segments;
  const repo = stripGit(repoSegment);
  if (!owner || !repo) return undefined;
  const name = `${owner}/${repo}`;
  return { host, url: `${origin}/${name}`, name, ...refAndFolder(rest, host === 'bitbucket' ? ['src'] : ['tree', 'blob', 'src']) };
}

/** GitLab: the whole group path up to the repository. */
function readGitLab(origin: string, segments: string[]): Parsed | undefined {
  const stop = segments.findIndex((s) => GITLAB_STOPS.has(s));
  const nameSegments = (stop === -1 ? segments : segments.slice(0, stop)).slice();
  const last = stripGit(nameSegments.pop());
  if (!last || nameSegments.length === 0) return undefined;
  const name = [...nameSegments, last].join('/');
  const rest = stop === -1 ? [] : segments.slice(segments[stop] === '-' ? stop + 1 : stop);
  return { host: 'gitlab', url: `${origin}/${name}`, name, ...refAndFolder(rest, ['tree', 'blob']) };
}

function readBitbucketServer(url: URL, origin: string, segments: string[]): Parsed | undefined {
  const [project, repoSegment, rest] =
    segments[0] === 'scm' ? [segments[1], segments[2], []] : [segments[1], segments[3], segments.slice(4)];
  const repo = stripGit(repoSegment);
  if (!project || !repo) return undefined;
  const at = url.searchParams.get('at')?.replace(/^refs\/(heads|tags)\//, '');
  const folder = rest[0] === 'browse' ? trimSlashes(rest.slice(1).join('/')) : '';
  return {
    host: 'bitbucket-server',
    url: `${origin}/projects/${project}/repos/${repo}`,
    name: `${project}/${repo}`,
    ref: at || undefined,
    subdirectory: folder || undefined,
  };
}

/** Azure DevOps names a repository by organisation, project and repository. */
function readAzureDevOps(url: URL, segments: string[]): Parsed | undefined {
  const host = url.hostname.toLowerCase();
  let org: string | undefined;
  let project: string | undefined;
  let repo: string | undefined;
  if (host === 'ssh.dev.azure.com') [, org, project, repo] = segments; // v3/ORG/PROJECT/REPO
  else if (host.endsWith('.visualstudio.com')) [org, project, repo] = [host.split('.')[0], segments[0], segments[2]];
  else [org, project, , repo] = segments;
  repo = stripGit(repo);
  if (!org || !project || !repo) return undefined;
  const version = url.searchParams.get('version');
  const path = trimSlashes(url.searchParams.get('path') ?? '');
  return {
    host: 'azure-devops',
    url: `https://dev.azure.com/${org}/${project}/_git/${repo}`,
    name: `${org}/${project}/${repo}`,
    ref: version && /^G[BT]/.test(version) ? version.slice(2) : undefined,
    subdirectory: path || undefined,
  };
}

function harnessRepoIndex(segments: string[]): number {
  return segments.findIndex((s, i) => s === 'orgs' && segments[i + 2] === 'projects' && segments[i + 4] === 'repos' && segments[i + 5]);
}

/** Harness Code: `…/orgs/O/projects/P/repos/R…` is `O/P/R`; clone URLs are `git.harness.io/ACCOUNT/O/P/R.git`. */
function readHarness(url: URL, origin: string, segments: string[]): Parsed | undefined {
  const at = harnessRepoIndex(segments);
  if (at < 0) {
    const [account, org, project, repoSegment] = segments;
    const repo = stripGit(repoSegment);
    if (!account || !org || !project || !repo || url.hostname.toLowerCase() !== 'git.harness.io') return undefined;
    const name = `${org}/${project}/${repo}`;
    return { host: 'harness', url: `https://app.harness.io/ng/account/${account}/module/code/orgs/${org}/projects/${project}/repos/${repo}`, name };
  }
  const org = segments[at + 1];
  const project = segments[at + 3];
  const repo = stripGit(segments[at + 5]);
  if (!org || !project || !repo) return undefined;
  const rest = segments.slice(at + 6);
  // …/repos/R/files/REF/~/folder
  const ref = rest[0] === 'files' ? rest[1] : undefined;
  const folder = rest[0] === 'files' && rest[2] === '~' ? trimSlashes(rest.slice(3).join('/')) : '';
  return {
    host: 'harness',
    url: `${origin}/${[...segments.slice(0, at), 'orgs', org, 'projects', project, 'repos', repo].join('/')}`,
    name: `${org}/${project}/${repo}`,
    ref,
    subdirectory: folder || undefined,
  };
}

/** `tree/REF/folder…` after the repository: the ref and the folder (a `blob` URL's file's folder). */
function refAndFolder(rest: string[], markers: string[]): { ref?: string; subdirectory?: string } {
  const [marker, ref, ...folder] = rest;
  if (!marker || !ref || !markers.includes(marker)) return {};
  const parts = marker === 'blob' ? folder.slice(0, -1) : folder;
  const subdirectory = trimSlashes(parts.join('/'));
  return subdirectory ? { ref, subdirectory } : { ref };
}

function stripGit(segment: string | undefined): string | undefined {
  return segment?.replace(/\.git$/, '') || undefined;
}

function trimSlashes(path: string): string {
  return path.trim().replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** A place in a repository a scanner reported: a file and, optionally, lines. */
export interface SourcePlace {
  path: string;
  startLine?: number | undefined;
  endLine?: number | undefined;
}

export interface SourceRevision {
  /** The scan's commit: preferred. */
  commit?: string | undefined;
  /** The scanned variant (branch or tag): used when the commit is not known. */
  variant?: string | undefined;
}

/**
 * The web link to a file and lines, at the scan's commit if known, else its variant, else the
 * repository's branch from the URL, else `HEAD` (the default branch on every supported host).
 *
 * A scanner path is taken as relative to the monorepo folder when it does not already start with
 * it: scanners run inside the folder report `src/app.ts`, scanners run at the repository root
 * report `services/pay/src/app.ts`, and both link to the same file.
 */
export function sourceLink(repository: Repository, place: SourcePlace, revision: SourceRevision = {}): string | undefined {
  const relative = trimSlashes(place.path.replace(/\\/g, '/'));
  if (relative === '') return undefined;
  const folder = repository.subdirectory;
  const path = folder && relative !== folder && !relative.startsWith(`${folder}/`) ? `${folder}/${relative}` : relative;
  const commit = revision.commit?.trim();
  const ref = commit || revision.variant?.trim() || repository.ref || 'HEAD';
  const start = positive(place.startLine);
  const end = positive(place.endLine);
  const range = start !== undefined && end !== undefined && end > start ? ([start, end] as const) : start !== undefined ? ([start] as const) : undefined;
  const at = repository.url;
  switch (repository.host) {
    case 'gitlab':
      return `${at}/-/blob/${encodePath(ref)}/${encodePath(path)}${range ? `#L${range.join('-')}` : ''}`;
    case 'bitbucket':
      return `${at}/src/${encodePath(ref)}/${encodePath(path)}${range ? `#lines-${range.join(':')}` : ''}`;
    case 'bitbucket-server':
      return `${at}/browse/${encodePath(path)}?at=${encodeURIComponent(ref)}${range ? `#${range.join('-')}` : ''}`;
    case 'azure-devops': {
      // Azure DevOps spells a branch GB<name> and a commit GC<sha>.
      const version = `${commit ? 'GC' : 'GB'}${encodeURIComponent(ref)}`;
      const lines = range ? `&line=${range[0]}&lineEnd=${range[1] ?? range[0]}` : '';
      return `${at}?path=/${encodePath(path)}&version=${version}${lines}`;
    }
    case 'harness':
      return `${at}/files/${encodePath(ref)}/~/${encodePath(path)}`;
    case 'github':
    case 'other':
      return `${at}/blob/${encodePath(ref)}/${encodePath(path)}${range ? `#L${range.join('-L')}` : ''}`;
  }
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
