import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import type {
  Metrics,
  ModelEngine,
  RunStatus,
  StepStatus
} from '../../api/modelTypes';
import type { ITrans } from '../../i18n';

/** An AI engine badge (PyTorch, MindSpore …); `data-engine` is the raw one. */
export function EngineBadge(props: {
  engine: ModelEngine;
  trans: ITrans;
}): JSX.Element {
  const { engine, trans } = props;
  return (
    <span
      className={`openi-Badge openi-EngineBadge openi-EngineBadge-${engine.replace(/[^A-Za-z]/g, '').toLowerCase()}`}
      data-testid="openi-model-engine"
      data-engine={engine}
    >
      {engine === 'unknown' ? trans.__('Unknown') : engine}
    </span>
  );
}

const STEP_LABELS: Record<StepStatus | RunStatus, string> = {
  PENDING: 'Pending',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  SKIPPED: 'Skipped',
  REUSED: 'Reused',
  CANCELLED: 'Cancelled'
};

/** Status of a pipeline run or step, coloured like task statuses. */
export function PipelineStatus(props: {
  status: StepStatus | RunStatus;
  trans: ITrans;
}): JSX.Element {
  const { status, trans } = props;
  return (
    <span
      className={`openi-Badge openi-TaskStatus openi-TaskStatus-${status.toLowerCase()}`}
      data-testid="openi-pipeline-status"
      data-status={status}
    >
      {trans.__(STEP_LABELS[status])}
    </span>
  );
}

/** `0.9312` stays, long floats are cut to 4 significant digits. */
export function formatMetric(value: number | string): string {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return String(Number(value.toPrecision(4)));
  }
  return String(value);
}

/** Metrics as a two-column table; null when there are none. */
export function MetricsTable(props: {
  metrics: Metrics;
  testid: string;
}): JSX.Element | null {
  const entries = Object.entries(props.metrics);
  if (entries.length === 0) {
    return null;
  }
  return (
    <table
      className="openi-Table openi-MetricsTable"
      data-testid={props.testid}
    >
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key} data-metric={key}>
            <th scope="row">{key}</th>
            <td className="openi-mono">{formatMetric(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Asks before something is deleted; resolves to whether the user agreed. */
export async function confirmDanger(
  trans: ITrans,
  title: string,
  body: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}

/** `a1b2c3d4e5…` for long hashes; the whole one is in the title. */
export function ShortHash(props: { value: string }): JSX.Element {
  return (
    <span className="openi-mono" title={props.value}>
      {props.value.slice(0, 12)}
    </span>
  );
}

/** `owner/project/dataset/file` → the dataset page's project and name. */
export function datasetOfPath(
  path: string
): { project: string; dataset: string } | undefined {
  const parts = path.split('/');
  return parts.length >= 3
    ? { project: `${parts[0]}/${parts[1]}`, dataset: parts[2] }
    : undefined;
}
