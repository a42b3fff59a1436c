import * as React from 'react';

import { ServerConnection } from '@jupyterlab/services';
import { errorMessage, isActive, type ITask } from '../../api';
import { apiUrl, segment } from '../../api/request';
import { canWrite } from '../datasets/DatasetPage';
import { formatSize } from '../project/code/size';
import { useEnv, useProject } from '../project/env';
import { ErrorLine, Loading } from '../status';
import {
  confirmTaskDelete,
  formatDuration,
  StatusBadge,
  TASK_KIND_NAMES,
  useInterval
} from './common';
import { OpenNotebookButton, useDebugKernelRefresh } from './debugKernel';

/** URL of a task's log as server-sent events, from a byte offset. */
export function logStreamUrl(
  settings: ServerConnection.ISettings,
  project: string,
  id: number,
  offset: number
): string {
  const [owner, ...rest] = project.split('/');
  const path =
    `projects/${segment(owner)}/${segment(rest.join('/'))}` +
    `/tasks/${segment(id)}/logs/stream`;
  return apiUrl(settings, path, { offset });
}

/** Mode of the live log: the server's event stream, or polling when it fails. */
type LogMode = 'stream' | 'poll';

/**
 * Live log: follows `logs/stream` (server-sent events; the cookie of the
 * JupyterLab page authenticates it) and appends each piece as it is written;
 * a `status` event reloads the task. Should the stream fail before it
 * delivered anything (no EventSource, a proxy that buffers), it polls
 * `logs?offset=` every second instead, from the same byte offset.
 */
function LiveLog(props: {
  project: string;
  id: number;
  active: boolean;
  onStatus: () => void;
}): JSX.Element {
  const { project, id, active, onStatus } = props;
  const { client, trans } = useEnv();
  const [text, setText] = React.useState('');
  const [done, setDone] = React.useState(false);
  const [mode, setMode] = React.useState<LogMode>(
    typeof EventSource === 'undefined' ? 'poll' : 'stream'
  );
  const offset = React.useRef(0);
  const busy = React.useRef(false);
  const pre = React.useRef<HTMLPreElement>(null);
  const statusRef = React.useRef(onStatus);
  statusRef.current = onStatus;

  const append = (at: number, next: number, piece: string): void => {
    if (at === offset.current) {
      offset.current = next;
      if (piece) {
        setText(t => t + piece);
      }
    }
  };

  React.useEffect(() => {
    if (mode !== 'stream') {
      return;
    }
    const source = new EventSource(
      logStreamUrl(client.serverSettings, project, id, offset.current),
      { withCredentials: true }
    );
    let received = false;
    source.addEventListener('log', e => {
      received = true;
      const d = JSON.parse((e as MessageEvent).data);
      append(d.offset, d.next_offset, d.text);
    });
    source.addEventListener('status', () => {
      received = true;
      statusRef.current();
    });
    source.addEventListener('end', () => {
      source.close();
      setDone(true);
      statusRef.current();
    });
    source.onerror = () => {
      // The browser reconnects by itself (sending Last-Event-ID) once it has
      // had events; a stream that never opened is given up for polling.
      if (!received || source.readyState === EventSource.CLOSED) {
        source.close();
        setMode('poll');
      }
    };
    return () => source.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode, project, id]);

  const poll = async (): Promise<void> => {
    if (busy.current) {
      return;
    }
    busy.current = true;
    try {
      const log = await client.tasks.logs(project, id, offset.current);
      append(log.offset, log.next_offset, log.text);
      setDone(log.done);
    } catch {
      // the next tick tries again
    } finally {
      busy.current = false;
    }
  };
  React.useEffect(() => {
    if (mode === 'poll') {
      void poll();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode]);
  // Poll once more after the task ends so the tail is complete.
  React.useEffect(() => {
    if (!active && mode === 'poll') {
      void poll();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);
  useInterval(() => void poll(), 1000, mode === 'poll' && (active || !done));
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
        data-mode={mode}
        data-done={done ? 'true' : 'false'}
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
  // The log stream reports status changes; this keeps the duration ticking.
  useInterval(() => void load(), 5000, active);
  useDebugKernelRefresh(task);

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
  return (
    <div className="openi-TaskPage" data-testid="openi-task-page">
      <div className="openi-Toolbar">
        <button type="button" className="openi-LinkButton" onClick={onBack}>
          ← {trans.__('All tasks')}
        </button>
        <span className="openi-Toolbar-spacer" />
        <OpenNotebookButton
          task={task}
          trans={trans}
          className="openi-Button openi-mod-primary"
          testId="openi-task-page-open-notebook"
          onError={setActionError}
        />
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
        <dd data-testid="openi-task-kind">
          {trans.__(TASK_KIND_NAMES[task.kind] ?? task.kind)}
        </dd>
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
        <dd className="openi-mono">
          {task.boot_file}
          {task.snapshot_name && (
            <span
              className="openi-Badge openi-TaskSnapshot"
              data-testid="openi-task-snapshot"
              title={task.snapshot_sha256 ?? ''}
            >
              {trans.__('from a notebook snapshot')}
            </span>
          )}
        </dd>
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
      <LiveLog
        project={project}
        id={id}
        active={active}
        onStatus={() => void load()}
      />
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
