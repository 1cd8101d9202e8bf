import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { isLanternAvailable, lanternEntityName } from '@lantern-security/backstage-plugin-common';
import { Typography } from '@material-ui/core';
import { lanternApiRef } from '../api';
import { columnView } from '../summary-view';
import { SeverityCount } from './Severity';
import { useLanternRead } from './useLanternRead';

function LanternSecurityCell({ entity }: { entity: Entity }) {
  const api = useApi(lanternApiRef);
  const name = lanternEntityName(entity);
  const summary = useLanternRead(`${name.kind}:${name.namespace}/${name.name}`, () => api.summary(name));
  if (summary.state === 'loading') return <Typography variant="caption">…</Typography>;
  if (summary.state === 'error') return <Typography variant="caption" color="error" title={summary.error.message}>unavailable</Typography>;
  const view = columnView(summary.value);
  if (view.state === 'no-data') return <Typography variant="caption" color="textSecondary">{view.text}</Typography>;
  return (
    <span title={view.text}>
      {view.counts.map((c) => (
        <SeverityCount key={c.severity} severity={c.severity} count={c.count} />
      ))}
    </span>
  );
}

/**
 * A catalog table column with each entity's open issues per severity, "No data" apart from zero.
 * Give it to CatalogIndexPage's or CatalogTable's `columns`.
 */
export function createLanternSecurityColumn<T extends { entity: Entity }>(): TableColumn<T> {
  return {
    title: 'Security',
    sorting: false,
    render: (row) => (isLanternAvailable(row.entity) ? <LanternSecurityCell entity={row.entity} /> : <Typography variant="caption" color="textSecondary">—</Typography>),
  };
}
