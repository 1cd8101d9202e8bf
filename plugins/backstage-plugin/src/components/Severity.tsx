import type { Severity } from '@lantern-security/backstage-plugin-common';
import { makeStyles, type Theme } from '@material-ui/core/styles';
import { SEVERITY_LABEL, SEVERITY_SHAPE } from '../summary-view';

/** Severity colours from the Backstage theme in use, so they fit its light and dark palettes. */
export const severityColor = (theme: Theme): Record<Severity, string> => ({
  critical: theme.palette.error.dark,
  high: theme.palette.error.main,
  medium: theme.palette.warning.main,
  low: theme.palette.info.main,
  info: theme.palette.text.secondary,
});

const useStyles = makeStyles((theme) => ({
  shape: { verticalAlign: 'middle', marginRight: theme.spacing(0.5) },
  ...Object.fromEntries(Object.entries(severityColor(theme)).map(([severity, color]) => [severity, { fill: color }])),
}));

/** The severity's shape in its colour: never told by colour alone. */
export function SeverityShape({ severity }: { severity: Severity }) {
  const classes = useStyles() as Record<string, string>;
  return (
    <svg className={`${classes.shape} ${classes[severity]}`} viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
      <path d={SEVERITY_SHAPE[severity]} fillRule="evenodd" />
    </svg>
  );
}

export function SeverityLabel({ severity }: { severity: Severity }) {
  return (
    <span>
      <SeverityShape severity={severity} />
      {SEVERITY_LABEL[severity]}
    </span>
  );
}

/** A count with its severity's shape, read out as "3 critical". */
export function SeverityCount({ severity, count }: { severity: Severity; count: number }) {
  return (
    <span aria-label={`${count} ${severity}`} style={{ marginRight: 12, whiteSpace: 'nowrap' }}>
      {count > 0 && <SeverityShape severity={severity} />}
      {count}
    </span>
  );
}
