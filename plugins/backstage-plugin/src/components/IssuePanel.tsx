import { Link, MarkdownContent, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { LanternEntityName } from '@lantern-security/backstage-plugin-common';
import { Box, Drawer, IconButton, Typography } from '@material-ui/core';
import { lanternApiRef } from '../api';
import { SeverityLabel } from './Severity';
import { useLanternRead } from './useLanternRead';

/** One issue in a side panel: what it is, how to fix it, where it is (with links into the repository). */
export function IssuePanel({ issueId, entity, onClose }: { issueId: number; entity: LanternEntityName; onClose(): void }) {
  const api = useApi(lanternApiRef);
  const issue = useLanternRead(`${issueId}`, () => api.issue(issueId, entity));
  return (
    <Drawer anchor="right" open onClose={onClose}>
      <Box p={3} width={560} maxWidth="100vw" role="dialog" aria-label="Issue">
        <Box display="flex" justifyContent="space-between" alignItems="center">
          <Typography variant="overline">Issue</Typography>
          <IconButton aria-label="Close" onClick={onClose} size="small">
            ×
          </IconButton>
        </Box>
        {issue.state === 'loading' && <Progress />}
        {issue.state === 'error' && <ResponseErrorPanel error={issue.error} />}
        {issue.state === 'done' && (
          <>
            <Typography variant="h5">{issue.value.title}</Typography>
            <Typography variant="body2" color="textSecondary" gutterBottom>
              <SeverityLabel severity={issue.value.severity} /> · {issue.value.kind} · {issue.value.targetName} ({issue.value.targetScope})
            </Typography>
            {issue.value.package && (
              <Typography variant="body2">
                {issue.value.package} {issue.value.installedVersion ?? ''}
                {issue.value.fixedVersion ? ` → fixed in ${issue.value.fixedVersion}` : ', no fixed version known'}
              </Typography>
            )}
            {issue.value.identifiers.length > 0 && (
              <Typography variant="body2">
                {issue.value.identifiers.map((id, i) => (
                  <span key={id.id}>
                    {i > 0 && ', '}
                    {id.url ? <Link to={id.url}>{id.id}</Link> : id.id}
                  </span>
                ))}
              </Typography>
            )}
            {/* Scanner text is untrusted: MarkdownContent renders Markdown, never raw HTML. */}
            {issue.value.description && (
              <Box mt={2}>
                <MarkdownContent content={issue.value.description} />
              </Box>
            )}
            {issue.value.remediation && (
              <Box mt={2}>
                <Typography variant="subtitle2">Remediation</Typography>
                <MarkdownContent content={issue.value.remediation} />
              </Box>
            )}
            <Box mt={2}>
              <Typography variant="subtitle2">Where ({issue.value.occurrences.length})</Typography>
              {issue.value.occurrences.slice(0, 50).map((o, i) => (
                <Typography key={i} variant="body2">
                  {o.scanner} · {o.variant}
                  {o.filePath ? ' · ' : ''}
                  {o.filePath && (o.sourceUrl ? <Link to={o.sourceUrl}>{`${o.filePath}${o.startLine ? `:${o.startLine}` : ''}`}</Link> : o.filePath)}
                </Typography>
              ))}
            </Box>
          </>
        )}
      </Box>
    </Drawer>
  );
}
