import { EmptyState, InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import { lanternEntityName, type EntitySummary } from '@lantern-security/backstage-plugin-common';
import { Box, Grid, List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { lanternApiRef } from '../api';
import { summaryView, type UnmatchedLinkView } from '../summary-view';
import { SeverityShape } from './Severity';
import { useLanternRead } from './useLanternRead';

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <Box>
      <Typography variant="h5" component="div">
        {value}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {label}
      </Typography>
    </Box>
  );
}

function UnmatchedLinks({ links }: { links: UnmatchedLinkView[] }) {
  if (links.length === 0) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">
        {links.length === 1 ? '1 link shows nothing' : `${links.length} links show nothing`}
      </Typography>
      <List dense>
        {links.map((l) => (
          <ListItem key={`${l.link} ${l.origin}`} disableGutters>
            <ListItemText primary={`${l.link}, ${l.origin}`} secondary={l.diagnostics.map((d) => d.message).join(' ')} />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

/** A count that may be unknown: "—" with what is missing, never 0. Absent (an older Lantern): not shown. */
function MaybeStat({ label, value, unknown }: { label: string; value: number | null | undefined; unknown: string }) {
  if (value === undefined) return null;
  return <Stat label={value === null ? `${label} (${unknown})` : label} value={value ?? '—'} />;
}

function SummaryBody({ summary }: { summary: EntitySummary }) {
  const view = summaryView(summary);
  if (view.state === 'no-data') {
    return (
      <>
        <EmptyState
          missing="data"
          title="No security data"
          description="None of this entity's links shows a scanned target yet. That is not the same as no issues: nothing has been scanned, or the links do not match."
        />
        <UnmatchedLinks links={view.unmatched} />
      </>
    );
  }
  return (
    <>
      <Grid container spacing={2}>
        {view.severities.map((s) => (
          <Grid item key={s.severity} xs>
            <Typography variant="h4" component="div" aria-label={`${s.count} ${s.severity}`}>
              <SeverityShape severity={s.severity} />
              {s.count}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {s.label}
            </Typography>
          </Grid>
        ))}
      </Grid>
      <Box mt={2} display="flex" style={{ gap: 24 }} flexWrap="wrap">
        <Stat label="open issues" value={view.total} />
        <Stat label="fixable" value={view.fixable} />
        <Stat label="new in the last scan" value={view.new} />
        <MaybeStat label="known exploited" value={summary.knownExploited} unknown="no KEV data" />
        <MaybeStat label="past SLA" value={summary.slaBreached} unknown="no data" />
        <Stat label="exempted" value={view.exempted} />
        <Stat label="last scan" value={view.lastScanAt ? new Date(view.lastScanAt).toLocaleString() : 'never'} />
      </Box>
      <UnmatchedLinks links={view.unmatched} />
    </>
  );
}

/** The entity's security summary: counts per severity, fixable, new, known exploited, last scan, unmatched links. */
export function LanternSecurityCard() {
  const { entity } = useEntity();
  const api = useApi(lanternApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const name = lanternEntityName(entity);
  const key = `${name.kind}:${name.namespace}/${name.name}`;
  const summary = useLanternRead(key, () => api.summary(name));
  const tab = `${entityRoute({ kind: name.kind, namespace: name.namespace, name: name.name })}/security`;
  return (
    <InfoCard title="Security" subheader="From Lantern" deepLink={{ title: 'All issues', link: tab }}>
      {summary.state === 'loading' && <Progress />}
      {summary.state === 'error' && <ResponseErrorPanel error={summary.error} />}
      {summary.state === 'done' && <SummaryBody summary={summary.value} />}
    </InfoCard>
  );
}
