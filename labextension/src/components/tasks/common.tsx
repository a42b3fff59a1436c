import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import type { TaskKind, TaskStatus } from '../../api';
import type { ITrans } from '../../i18n';

/** The four kinds, each a sub-tab (msgids). */
export const TASK_KINDS: ReadonlyArray<[TaskKind, string]> = [
  ['debug', 'Debug tasks'],
  ['train', 'Training tasks'],
  ['inference', 'Inference tasks'],
  ['evaluation', 'Evaluation tasks']
];

/** One task's kind, as its page and the "New task" heading name it (msgids). */
export const TASK_KIND_NAMES: Readonly<Record<TaskKind, string>> = {
  debug: 'Debug task',
  train: 'Training task',
  inference: 'Inference task',
  evaluation: 'Evaluation task'
};

const STATUS_LABELS: Record<TaskStatus, string> = {
  WAITING: 'Waiting',
  RUNNING: 'Running',
  STOPPING: 'Stopping',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  STOPPED: 'Stopped'
};

/** A coloured status badge; `data-status` carries the raw status. */
export function StatusBadge(props: {
  status: TaskStatus;
  trans: ITrans;
}): JSX.Element {
  const { status, trans } = props;
  return (
    <span
      className={`openi-Badge openi-TaskStatus openi-TaskStatus-${status.toLowerCase()}`}
      data-testid="openi-task-status"
      data-status={status}
    >
      {trans.__(STATUS_LABELS[status])}
    </span>
  );
}

/** `1h 2m 3s` style duration. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return '—';
  }
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (h) {
    parts.push(`${h}h`);
  }
  if (h || m) {
    parts.push(`${m}m`);
  }
  parts.push(`${s % 60}s`);
  return parts.join(' ');
}

/** Asks before deleting; resolves to whether the user confirmed. */
export async function confirmTaskDelete(
  trans: ITrans,
  name: string
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Delete task %1?', name),
    body: trans.__('The task, its log and outputs are deleted.'),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}

/** Polls `tick` every `ms` while `active`. */
export function useInterval(tick: () => void, ms: number, active: boolean) {
  const ref = React.useRef(tick);
  ref.current = tick;
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const handle = window.setInterval(() => ref.current(), ms);
    return () => window.clearInterval(handle);
  }, [ms, active]);
}
