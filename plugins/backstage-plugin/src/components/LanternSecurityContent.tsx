import { Progress, ResponseErrorPanel, Table, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { lanternEntityName, SEVERITIES, type IssueRow, type Severity } from '@lantern-security/backstage-plugin-common';
import { Box, Button, Checkbox, FormControlLabel, Grid, MenuItem, TextField, Typography } from '@material-ui/core';
import { useState } from 'react';
import { lanternApiRef } from '../api';
import { INITIAL_ISSUE_TABLE, issueQuery, nextPage, pageNumber, previousPage, withFilter, type IssueTableState } from '../issue-table-state';
import { SEVERITY_LABEL } from '../summary-view';
import { IssuePanel } from './IssuePanel';
import { LanternSecurityCard } from './LanternSecurityCard';
import { SeverityLabel } from './Severity';
import { useLanternRead } from './useLanternRead';

const SORTS: Array<[string, string]> = [
  ['-severity', 'Severity, worst first'],
  ['priority', 'Priority (known exploited, EPSS, severity)'],
  ['title', 'Title'],
  ['package', 'Package'],
  ['-firstSeen', 'Newest first'],
  ['firstSeen', 'Oldest first'],
];

const columns: TableColumn<IssueRow>[] = [
  { title: 'Severity', field: 'severity', render: (row) => <SeverityLabel severity={row.severity} />, width: '120px' },
  {
    title: 'Issue',
    field: 'title',
    render: (row) => (
      <>
        <Typography variant="body2">{row.title}</Typography>
        <Typography variant="caption" color="textSecondary">
          {[row.vulnerabilityId ?? row.ruleId, row.kind, row.new ? 'new' : null, row.exempted ? 'exempted' : null, row.kev?.state === 'listed' ? 'known exploited' : null]
            .filter(Boolean)
            .join(' · ')}
        </Typography>
      </>
    ),
  },
  { title: 'Package or file', render: (row) => (row.package ? `${row.package} ${row.installedVersion ?? ''}` : row.location?.filePath ?? '—') },
  { title: 'Fixed in', render: (row) => row.fixedVersion ?? '—' },
  { title: 'Target', render: (row) => `${row.targetName} (${row.variant})` },
  { title: 'Scanners', render: (row) => row.scanners.join(', ') },
];

/** The Security tab: the summary, then the issue table with filters, sorting, paging and the issue panel. */
export function LanternSecurityContent() {
  const { entity } = useEntity();
  const api = useApi(lanternApiRef);
  const name = lanternEntityName(entity);
  const [table, setTable] = useState<IssueTableState>(INITIAL_ISSUE_TABLE);
  const [open, setOpen] = useState<number | null>(null);
  const query = issueQuery(table);
  const page = useLanternRead(`${name.kind}:${name.namespace}/${name.name} ${JSON.stringify(query)}`, () => api.issues(name, query));
  const filter = (change: Partial<IssueTableState>) => setTable((t) => withFilter(t, change));
  const toggleSeverity = (s: Severity) => filter({ severity: table.severity.includes(s) ? table.severity.filter((x) => x !== s) : [...table.severity, s] });
  const scanners = page.state === 'done' ? page.value.facets.scanners : [];

  return (
    <>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <LanternSecurityCard />
        </Grid>
        <Grid item xs={12}>
          <Box display="flex" flexWrap="wrap" alignItems="center" style={{ gap: 16 }} mb={2} role="search" aria-label="Filter issues">
            {SEVERITIES.map((s) => (
              <FormControlLabel key={s} control={<Checkbox checked={table.severity.includes(s)} onChange={() => toggleSeverity(s)} />} label={SEVERITY_LABEL[s]} />
            ))}
            <TextField select label="Status" value={table.status} onChange={(e) => filter({ status: e.target.value as IssueTableState['status'] })}>
              <MenuItem value="active">Open</MenuItem>
              <MenuItem value="new">New in the last scan</MenuItem>
              <MenuItem value="exempted">Exempted</MenuItem>
            </TextField>
            <TextField select label="Scanner" value={table.scanner[0] ?? ''} onChange={(e) => filter({ scanner: e.target.value ? [e.target.value] : [] })} style={{ minWidth: 120 }}>
              <MenuItem value="">Any</MenuItem>
              {scanners.map((s) => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </TextField>
            <FormControlLabel control={<Checkbox checked={table.knownExploited} onChange={(e) => filter({ knownExploited: e.target.checked })} />} label="Known exploited" />
            <TextField label="Search" value={table.q} onChange={(e) => filter({ q: e.target.value })} placeholder="CVE, rule, package, file" />
            <TextField select label="Sort" value={table.sort} onChange={(e) => filter({ sort: e.target.value })}>
              {SORTS.map(([value, label]) => (
                <MenuItem key={value} value={value}>
                  {label}
                </MenuItem>
              ))}
            </TextField>
          </Box>
          {page.state === 'loading' && <Progress />}
          {page.state === 'error' && <ResponseErrorPanel error={page.error} />}
          {page.state === 'done' && (
            <>
              <Table<IssueRow>
                title={`${page.value.total} ${page.value.total === 1 ? 'issue' : 'issues'}`}
                options={{ paging: false, search: false, sorting: false, padding: 'dense' }}
                columns={columns}
                data={page.value.items}
                onRowClick={(_event, row) => row && setOpen(row.id)}
                emptyContent={<Box p={2}>No issue matches these filters.</Box>}
              />
              <Box display="flex" justifyContent="flex-end" alignItems="center" mt={1} style={{ gap: 8 }}>
                <Typography variant="body2">Page {pageNumber(table)}</Typography>
                <Button size="small" disabled={pageNumber(table) === 1} onClick={() => setTable(previousPage)}>
                  Previous
                </Button>
                <Button size="small" disabled={page.value.nextCursor === null} onClick={() => setTable((t) => nextPage(t, page.value.nextCursor))}>
                  Next
                </Button>
              </Box>
            </>
          )}
        </Grid>
      </Grid>
      {open !== null && <IssuePanel issueId={open} entity={name} onClose={() => setOpen(null)} />}
    </>
  );
}
