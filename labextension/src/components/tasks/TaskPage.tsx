import * as React from 'react';

import { errorMessage, isActive, type ITask } from '../../api';
import { canWrite } from '../datasets/DatasetPage';
import { formatSize } from '../project/code/size';
import { useEnv, useProject } from '../project/env';
import { ErrorLine, Loading } from '../status';
import {
  confirmTaskDelete,
  formatDuration,
  StatusBadge,
  TASK_KINDS,
  useInterval
} from './common';

/** Live log: polls `logs?offset=` every second while the task runs. */
function LiveLog(props: {
  project: string;
  id: number;
  active: boolean;
}): JSX.Element {
  const { project, id, active } = props;
  const { client, trans } = useEnv();
  const [text, setText] = React.useState('');
  const [done, setDone] = React.useState(false);
  const offset = React.useRef(0);
  const busy = React.useRef(false);
  const pre = React.useRef<HTMLPreElement>(null);

  const poll = async (): Promise<void> => {
    if (busy.current) {
      return;
    }
    busy.current = true;
    try {
      const log = await client.tasks.logs(project, id, offset.current);
      if (log.offset === offset.current) {
        offset.current = log.next_offset;
        if (log.text) {
          setText(t => t + log.text);
        }
      }
      setDone(log.done);
    } catch {
      // the next tick tries again
    } finally {
      busy.current = false;
    }
  };
  React.useEffect(() => {
    void poll();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // Poll once more after the task ends so the tail is complete.
  React.useEffect(() => {
    if (!active) {
      void poll();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);
  useInterval(() => void poll(), 1000, active || !done);
  React.useEffect(() => {
    const el = pre.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
    }
  }, [text]);

  return (
    <div className="openi-TaskLog">
      <div className="openi-Toolbar">
        <h4 className="openi-SubTitle">{trans.__('Log')}</h4>
        <span className="openi-Toolbar-spacer" />
        <a
          className="openi-Button"
          href={client.tasks.logDownloadUrl(project, id)}
          download
          data-testid="openi-task-log-download"
        >
          {trans.__('Download log')}
        </a>
      </div>
      <pre
        ref={pre}
        className="openi-TaskLog-text openi-mono"
        data-testid="openi-task-log"
      >
        {text || (active ? trans.__('Waiting for output…') : '')}
      </pre>
    </div>
  );
}

/** A task's page: header, status timeline, live log, outputs, Stop. */
export function TaskPage(props: {
  project: string;
  id: number;
  onBack: () => void;
  onOpen: (id: number) => void;
}): JSX.Element {
  const { project, id, onBack, onOpen } = props;
  const { client, trans } = useEnv();
  const { project: info } = useProject();
  const writable = canWrite(info.role);
  const [task, setTask] = React.useState<ITask | undefined>();
  const [error, setError] = React.useState<string | undefined>();
  const [actionError, setActionError] = React.useState<string | undefined>();
  const [outputs, setOutputs] = React.useState<
    Array<{ path: string; size: number }> | undefined
  >();

  const load = async (): Promise<void> => {
    try {
      const t = await client.tasks.get(project, id);
      setTask(t);
      setError(undefined);
      if (!isActive(t.status)) {
        setOutputs(await client.tasks.outputs(project, id));
      }
    } catch (reason) {
      setError(errorMessage(reason));
    }
  };
  React.useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project, id]);
  const active = task ? isActive(task.status) : false;
  useInterval(() => void load(), 2000, active);

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    try {
      await action();
    } catch (reason) {
      setActionError(errorMessage(reason));
    }
  };

  if (error && !task) {
    return (
      <ErrorLine trans={trans} message={error} onRetry={() => void load()} />
    );
  }
  if (!task) {
    return <Loading trans={trans} />;
  }
  const kindTitle = TASK_KINDS.find(([k]) => k === task.kind)?.[1] ?? task.kind;
  return (
    <div className="openi-TaskPage" data-testid="openi-task-page">
      <div className="openi-Toolbar">
        <button type="button" className="openi-LinkButton" onClick={onBack}>
          ← {trans.__('All tasks')}
        </button>
        <span className="openi-Toolbar-spacer" />
        {writable &&
          (task.status === 'WAITING' || task.status === 'RUNNING') && (
            <button
              type="button"
              className="openi-Button openi-mod-warn"
              data-testid="openi-task-page-stop"
              onClick={() =>
                void act(async () => {
                  setTask(await client.tasks.stop(project, id));
                })
              }
            >
              {trans.__('Stop')}
            </button>
          )}
        {writable && (
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-task-page-rerun"
            onClick={() =>
              void act(async () => {
                onOpen((await client.tasks.rerun(project, id)).id);
              })
            }
          >
            {trans.__('Run again')}
          </button>
        )}
        {writable && (
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-task-page-delete"
            onClick={() =>
              void act(async () => {
                if (await confirmTaskDelete(trans, task.name)) {
                  await client.tasks.delete(project, id);
                  onBack();
                }
              })
            }
          >
            {trans.__('Delete')}
          </button>
        )}
      </div>
      {actionError && (
        <div className="openi-ErrorLine" role="alert">
          {actionError}
        </div>
      )}
      <h3 className="openi-SubTitle" data-testid="openi-task-title">
        {task.name} <StatusBadge status={task.status} trans={trans} />
      </h3>
      <dl className="openi-TaskMeta">
        <dt>{trans.__('Kind')}</dt>
        <dd>{trans.__(kindTitle)}</dd>
        <dt>{trans.__('Resource spec')}</dt>
        <dd>
          {task.spec} ({task.compute})
        </dd>
        <dt>{trans.__('Duration')}</dt>
        <dd data-testid="openi-task-duration">
          {formatDuration(task.duration)}
        </dd>
        <dt>{trans.__('Branch')}</dt>
        <dd>
          {task.branch}{' '}
          <span className="openi-mono">{task.commit.slice(0, 10)}</span>
        </dd>
        <dt>{trans.__('Boot file')}</dt>
        <dd className="openi-mono">{task.boot_file}</dd>
        {task.dataset_path && (
          <>
            <dt>{trans.__('Dataset')}</dt>
            <dd>{task.dataset_path}</dd>
          </>
        )}
        {task.params.length > 0 && (
          <>
            <dt>{trans.__('Run parameters')}</dt>
            <dd className="openi-mono">
              {task.params.map(p => `--${p.name}=${p.value}`).join(' ')}
            </dd>
          </>
        )}
        {task.creator && (
          <>
            <dt>{trans.__('Creator')}</dt>
            <dd>{task.creator.username}</dd>
          </>
        )}
      </dl>
      {task.description && <p>{task.description}</p>}
      <h4 className="openi-SubTitle">{trans.__('Status history')}</h4>
      <ol className="openi-Timeline" data-testid="openi-task-timeline">
        {task.events.map((e, i) => (
          <li key={i} className="openi-Timeline-item">
            <StatusBadge status={e.status} trans={trans} />{' '}
            <time dateTime={e.created_at} title={e.created_at}>
              {new Date(e.created_at).toLocaleString()}
            </time>
            {e.reason && (
              <span className="openi-Timeline-reason"> — {e.reason}</span>
            )}
          </li>
        ))}
      </ol>
      <LiveLog project={project} id={id} active={active} />
      <h4 className="openi-SubTitle">{trans.__('Outputs')}</h4>
      {outputs === undefined ? (
        active ? (
          <p>{trans.__('Outputs are listed when the task ends.')}</p>
        ) : (
          <Loading trans={trans} />
        )
      ) : outputs.length === 0 ? (
        <p>{trans.__('No outputs.')}</p>
      ) : (
        <ul className="openi-List" data-testid="openi-task-outputs">
          {outputs.map(o => (
            <li key={o.path} className="openi-ListItem">
              <a
                href={client.tasks.outputDownloadUrl(project, id, o.path)}
                download
              >
                {o.path}
              </a>{' '}
              <span>{formatSize(o.size)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
