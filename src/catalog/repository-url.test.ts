import { describe, expect, it } from 'vitest';
import { parseRepositoryUrl, sourceLink, type Repository } from './repository-url.js';

describe('parseRepositoryUrl: the implicit target name (DESIGN.md: Implicit repository target)', () => {
  it.each([
    // GitHub, Bitbucket and most hosts: the first two path segments.
    ['https://github.com/acme/payments', 'github', 'acme/payments'],
    ['https://github.com/acme/payments.git', 'github', 'acme/payments'],
    ['https://github.com/acme/payments/tree/main/services/api/', 'github', 'acme/payments'],
    ['https://github.acme.corp/Team/Pay/blob/v2/README.md', 'github', 'Team/Pay'],
    ['git@github.com:acme/payments.git', 'github', 'acme/payments'],
    ['ssh://git@github.com/acme/payments.git', 'github', 'acme/payments'],
    ['https://bitbucket.org/acme/payments/src/main/', 'bitbucket', 'acme/payments'],
    ['https://gitea.acme.io/acme/payments/src/branch/main', 'other', 'acme/payments'],
    // GitLab: the whole group path, stopping at -, tree, blob, src or browse.
    ['https://gitlab.com/acme/platform/payments', 'gitlab', 'acme/platform/payments'],
    ['https://gitlab.com/acme/platform/payments.git', 'gitlab', 'acme/platform/payments'],
    ['https://gitlab.com/acme/platform/payments/-/tree/main/sub', 'gitlab', 'acme/platform/payments'],
    ['https://gitlab.acme.io/a/b/c/d/tree/main', 'gitlab', 'a/b/c/d'],
    ['https://gitlab.com/a/b/blob/main/x.ts', 'gitlab', 'a/b'],
    ['https://gitlab.com/a/b/src/main', 'gitlab', 'a/b'],
    ['https://gitlab.com/a/b/browse/x', 'gitlab', 'a/b'],
    // Harness Code: O/P/R.
    ['https://app.harness.io/ng/account/ACC/module/code/orgs/acme/projects/pay/repos/payments/files/main/~/src', 'harness', 'acme/pay/payments'],
    ['https://app.harness.io/code/orgs/acme/projects/pay/repos/payments', 'harness', 'acme/pay/payments'],
    ['https://git.harness.io/ACC/acme/pay/payments.git', 'harness', 'acme/pay/payments'],
    // Hosts whose first two segments are not the owner and the repository.
    ['https://dev.azure.com/acme/Pay/_git/payments', 'azure-devops', 'acme/Pay/payments'],
    ['https://acme.visualstudio.com/Pay/_git/payments', 'azure-devops', 'acme/Pay/payments'],
    ['git@ssh.dev.azure.com:v3/acme/Pay/payments', 'azure-devops', 'acme/Pay/payments'],
    ['https://bitbucket.acme.io/projects/PAY/repos/payments/browse/src?at=refs/heads/main', 'bitbucket-server', 'PAY/payments'],
    ['https://bitbucket.acme.io/scm/pay/payments.git', 'bitbucket-server', 'pay/payments'],
  ])('%s is a %s repository named %s', (url, host, name) => {
    expect(parseRepositoryUrl(url)).toMatchObject({ host, name });
  });

  it('reads the branch and the folder a URL points into', () => {
    expect(parseRepositoryUrl('https://github.com/acme/payments/tree/main/services/api/')).toEqual({
      host: 'github',
      url: 'https://github.com/acme/payments',
      name: 'acme/payments',
      ref: 'main',
      subdirectory: 'services/api',
    });
    expect(parseRepositoryUrl('https://github.com/acme/payments/blob/v2/docs/README.md')).toMatchObject({ ref: 'v2', subdirectory: 'docs' });
    expect(parseRepositoryUrl('https://github.com/acme/payments/tree/main')).toEqual({ host: 'github', url: 'https://github.com/acme/payments', name: 'acme/payments', ref: 'main' });
    expect(parseRepositoryUrl('https://gitlab.com/g/r/-/tree/dev/sub/dir')).toMatchObject({ url: 'https://gitlab.com/g/r', ref: 'dev', subdirectory: 'sub/dir' });
    expect(parseRepositoryUrl('https://bitbucket.org/ws/r/src/main/sub/')).toMatchObject({ url: 'https://bitbucket.org/ws/r', ref: 'main', subdirectory: 'sub' });
    expect(parseRepositoryUrl('https://dev.azure.com/acme/Pay/_git/payments?path=/src/api&version=GBrelease')).toMatchObject({
      url: 'https://dev.azure.com/acme/Pay/_git/payments',
      ref: 'release',
      subdirectory: 'src/api',
    });
    expect(parseRepositoryUrl('https://bitbucket.acme.io/projects/PAY/repos/payments/browse/src/api?at=refs/heads/main')).toMatchObject({
      url: 'https://bitbucket.acme.io/projects/PAY/repos/payments',
      ref: 'main',
      subdirectory: 'src/api',
    });
    expect(parseRepositoryUrl('https://app.harness.io/ng/account/ACC/module/code/orgs/acme/projects/pay/repos/payments/files/main/~/src')).toMatchObject({
      url: 'https://app.harness.io/ng/account/ACC/module/code/orgs/acme/projects/pay/repos/payments',
      ref: 'main',
      subdirectory: 'src',
    });
    expect(parseRepositoryUrl('https://git.harness.io/ACC/acme/pay/payments.git')?.url).toBe(
      'https://app.harness.io/ng/account/ACC/module/code/orgs/acme/projects/pay/repos/payments',
    );
  });

  it('lets spec.sourceCode hints win over the URL', () => {
    expect(parseRepositoryUrl('https://git.acme.io/acme/payments/tree/main/a', { provider: 'Gitlab', branch: 'develop', subdirectory: './services/pay/' })).toEqual({
      host: 'gitlab',
      url: 'https://git.acme.io/acme/payments',
      name: 'acme/payments',
      ref: 'develop',
      subdirectory: 'services/pay',
    });
    expect(parseRepositoryUrl('https://code.acme.io/acme/payments', { provider: 'Bitbucket' })?.host).toBe('bitbucket');
    expect(parseRepositoryUrl('https://code.acme.io/acme/payments', { provider: 'AzureRepo' })).toBeUndefined();
    expect(parseRepositoryUrl('https://code.acme.io/acme/payments', { provider: 'Github' })?.host).toBe('github');
  });

  it.each(['', 'not a url', 'https://github.com/acme', 'https://github.com/', 'ftp://github.com/acme/payments', 'https://gitlab.com/group', 'https://dev.azure.com/acme', 'https://bitbucket.acme.io/projects/PAY', 'https://git.harness.io/ACC/acme'])(
    '%j names no repository',
    (url) => {
      expect(parseRepositoryUrl(url)).toBeUndefined();
    },
  );
});

describe('sourceLink (DESIGN.md: Source links)', () => {
  const repo = (url: string): Repository => {
    const parsed = parseRepositoryUrl(url);
    if (!parsed) throw new Error(`test setup: ${url} names no repository`);
    return parsed;
  };
  const place = { path: 'src/app.ts', startLine: 10, endLine: 12 };

  it('links to a file and lines on each host', () => {
    expect(sourceLink(repo('https://github.com/acme/pay'), place, { variant: 'main' })).toBe('https://github.com/acme/pay/blob/main/src/app.ts#L10-L12');
    expect(sourceLink(repo('https://gitlab.com/acme/pay'), place, { variant: 'main' })).toBe('https://gitlab.com/acme/pay/-/blob/main/src/app.ts#L10-12');
    expect(sourceLink(repo('https://bitbucket.org/acme/pay'), place, { variant: 'main' })).toBe('https://bitbucket.org/acme/pay/src/main/src/app.ts#lines-10:12');
    expect(sourceLink(repo('https://dev.azure.com/acme/P/_git/pay'), place, { variant: 'main' })).toBe(
      'https://dev.azure.com/acme/P/_git/pay?path=/src/app.ts&version=GBmain&line=10&lineEnd=12',
    );
    expect(sourceLink(repo('https://bitbucket.acme.io/projects/P/repos/pay'), place, { variant: 'main' })).toBe(
      'https://bitbucket.acme.io/projects/P/repos/pay/browse/src/app.ts?at=main#10-12',
    );
    expect(sourceLink(repo('https://app.harness.io/code/orgs/o/projects/p/repos/pay'), place, { variant: 'main' })).toBe(
      'https://app.harness.io/code/orgs/o/projects/p/repos/pay/files/main/~/src/app.ts',
    );
    expect(sourceLink(repo('https://gitea.acme.io/acme/pay'), place, { variant: 'main' })).toBe('https://gitea.acme.io/acme/pay/blob/main/src/app.ts#L10-L12');
  });

  it('has single-line and no-line forms', () => {
    const one = { path: 'a.py', startLine: 7 };
    expect(sourceLink(repo('https://github.com/a/b'), one)).toBe('https://github.com/a/b/blob/HEAD/a.py#L7');
    expect(sourceLink(repo('https://gitlab.com/a/b'), { ...one, endLine: 7 })).toBe('https://gitlab.com/a/b/-/blob/HEAD/a.py#L7');
    expect(sourceLink(repo('https://bitbucket.org/a/b'), one)).toBe('https://bitbucket.org/a/b/src/HEAD/a.py#lines-7');
    expect(sourceLink(repo('https://dev.azure.com/o/p/_git/b'), one)).toBe('https://dev.azure.com/o/p/_git/b?path=/a.py&version=GBHEAD&line=7&lineEnd=7');
    expect(sourceLink(repo('https://bitbucket.acme.io/scm/p/b.git'), one)).toBe('https://bitbucket.acme.io/projects/p/repos/b/browse/a.py?at=HEAD#7');
    expect(sourceLink(repo('https://github.com/a/b'), { path: 'a.py' })).toBe('https://github.com/a/b/blob/HEAD/a.py');
    expect(sourceLink(repo('https://github.com/a/b'), { path: 'a.py', startLine: 0, endLine: -1 })).toBe('https://github.com/a/b/blob/HEAD/a.py');
  });

  it('uses the commit, else the variant, else the branch in the URL, else HEAD', () => {
    const branchy = repo('https://github.com/a/b/tree/develop');
    expect(sourceLink(branchy, { path: 'x' }, { commit: 'abc123', variant: 'main' })).toBe('https://github.com/a/b/blob/abc123/x');
    expect(sourceLink(branchy, { path: 'x' }, { variant: 'feature/y' })).toBe('https://github.com/a/b/blob/feature/y/x');
    expect(sourceLink(branchy, { path: 'x' })).toBe('https://github.com/a/b/blob/develop/x');
    expect(sourceLink(repo('https://dev.azure.com/o/p/_git/b'), { path: 'x' }, { commit: 'abc123' })).toBe('https://dev.azure.com/o/p/_git/b?path=/x&version=GCabc123');
  });

  it('puts a monorepo folder in front of paths relative to it, and leaves root-relative paths alone', () => {
    const mono = repo('https://github.com/a/mono/tree/main/services/pay/');
    expect(sourceLink(mono, { path: 'src/app.ts' })).toBe('https://github.com/a/mono/blob/main/services/pay/src/app.ts');
    expect(sourceLink(mono, { path: './services/pay/src/app.ts' })).toBe('https://github.com/a/mono/blob/main/services/pay/src/app.ts');
    expect(sourceLink(mono, { path: '/src/app.ts' })).toBe('https://github.com/a/mono/blob/main/services/pay/src/app.ts');
    expect(sourceLink(mono, { path: 'services/pay' })).toBe('https://github.com/a/mono/blob/main/services/pay');
  });

  it('encodes paths and has no link for an empty path', () => {
    expect(sourceLink(repo('https://github.com/a/b'), { path: 'dir with space/#x.ts' })).toBe('https://github.com/a/b/blob/HEAD/dir%20with%20space/%23x.ts');
    expect(sourceLink(repo('https://github.com/a/b'), { path: 'win\\style\\p.cs' })).toBe('https://github.com/a/b/blob/HEAD/win/style/p.cs');
    expect(sourceLink(repo('https://github.com/a/b'), { path: './' })).toBeUndefined();
  });
});
