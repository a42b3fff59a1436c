import * as React from 'react';

import { errorMessage, isActive, type ITask, type TaskKind } from '../../api';
import { canWrite } from '../datasets/DatasetPage';
import { AsyncView } from '../project/AsyncView';
import { useEnv, useProject } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { EmptyState } from '../status';
import {
  confirmTaskDelete,
  StatusBadge,
  TASK_KINDS,
  useInterval
} from './common';
import { OpenNotebookButton, refreshDebugKernels } from './debugKernel';
import { NewTaskForm } from './NewTaskForm';
import { TaskPage } from './TaskPage';

const PER_PAGE = 20;
/** The list refreshes this often while a task waits or runs. */
const REFRESH_MS = 3000;

type TasksView =
  { view: 'list' } | { view: 'new' } | { view: 'detail'; id: number };

/** The project's Cloud brain tab (云脑任务): four kinds, list, form, pages. */
export function TasksTab(): JSX.Element {
  const { client, trans } = useEnv();
  const { project } = useProject();
  const fullName = project.full_name;
  const [kind, setKind] = React.useState<TaskKind>('debug');
  const [view, setView] = React.useState<TasksView>({ view: 'list' });
  const [page, setPage] = React.useState(1);
  const [generation, setGeneration] = React.useState(0);
  const [actionError, setActionError] = React.useState<string | undefined>();
  const list = useAsync(
    () => client.tasks.list(fullName, { kind, page, per_page: PER_PAGE }),
    `${fullName}#${kind}#${page}#${generation}`
  );
  const active = !!list.data?.items.some(t => isActive(t.status));
  useInterval(() => setGeneration(g => g + 1), REFRESH_MS, active);
  // a debug task started or ended: its kernel appears in (leaves) the launcher
  const debugKey = (list.data?.items ?? [])
    .filter(t => t.kind === 'debug')
    .map(t => `${t.id}:${t.status}`)
    .join(',');
  React.useEffect(() => {
    if (debugKey) {
      void refreshDebugKernels();
    }
  }, [debugKey]);
  const writable = canWrite(project.role);
  const refresh = (): void => setGeneration(g => g + 1);
  const back = (): void => {
    refresh();
    setView({ view: 'list' });
  };

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    try {
      await action();
    } catch (reason) {
      setActionError(errorMessage(reason));
    }
    refresh();
  };
  const remove = async (task: ITask): Promise<void> => {
    if (await confirmTaskDelete(trans, task.name)) {
      await act(() => client.tasks.delete(fullName, task.id));
    }
  };

  const subTabs = (
    <div className="openi-Tabs openi-SubTabs" role="tablist">
      {TASK_KINDS.map(([k, title]) => (
        <button
          key={k}
          type="button"
          role="tab"
          aria-selected={kind === k}
          className={`openi-Tab${kind === k ? ' openi-mod-active' : ''}`}
          data-testid={`openi-task-kind-${k}`}
          onClick={() => {
            setKind(k);
            setPage(1);
            setView({ view: 'list' });
          }}
        >
          {trans.__(title)}
        </button>
      ))}
    </div>
  );

  let body: JSX.Element;
  if (view.view === 'new') {
    body = (
      <NewTaskForm
        project={fullName}
        kind={kind}
        onCreated={t => {
          refresh();
          setView({ view: 'list' });
          void t;
        }}
        onCancel={back}
      />
    );
  } else if (view.view === 'detail') {
    body = (
      <TaskPage
        key={view.id}
        project={fullName}
        id={view.id}
        onBack={back}
        onOpen={id => setView({ view: 'detail', id })}
      />
    );
  } else {
    body = (
      <>
        <div className="openi-Toolbar">
          <span className="openi-Toolbar-spacer" />
          <button type="button" className="openi-Button" onClick={refresh}>
            {trans.__('Refresh')}
          </button>
          {writable && (
            <button
              type="button"
              className="openi-Button openi-mod-primary"
              data-testid="openi-new-task"
              onClick={() => setView({ view: 'new' })}
            >
              {trans.__('New task')}
            </button>
          )}
        </div>
        {actionError && (
          <div
            className="openi-ErrorLine"
            role="alert"
            data-testid="openi-task-action-error"
          >
            {actionError}
          </div>
        )}
        <AsyncView state={list}>
          {data =>
            data.items.length === 0 ? (
              <EmptyState
                title={trans.__('No tasks yet.')}
                message={
                  writable
                    ? trans.__('Click “New task” to create one.')
                    : trans.__(
                        'Members with write access can create tasks here.'
                      )
                }
              />
            ) : (
              <>
                <table className="openi-Table" data-testid="openi-task-list">
                  <thead>
                    <tr>
                      <th>{trans.__('Task name')}</th>
                      <th>{trans.__('Status')}</th>
                      <th>{trans.__('Created')}</th>
                      <th>{trans.__('Compute resource')}</th>
                      <th>{trans.__('Creator')}</th>
                      <th>{trans.__('Actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map(t => (
                      <tr
                        key={t.id}
                        data-testid="openi-task-row"
                        data-task={t.name}
                      >
                        <td>
                          <button
                            type="button"
                            className="openi-LinkButton"
                            data-testid="openi-task-link"
                            onClick={() =>
                              setView({ view: 'detail', id: t.id })
                            }
                          >
                            {t.name}
                          </button>
                        </td>
                        <td>
                          <StatusBadge status={t.status} trans={trans} />
                        </td>
                        <td>
                          <time dateTime={t.created_at}>
                            {trans.relativeTime(t.created_at)}
                          </time>
                        </td>
                        <td>{t.compute}</td>
                        <td>{t.creator?.username ?? '—'}</td>
                        <td className="openi-Table-actions">
                          <OpenNotebookButton
                            task={t}
                            trans={trans}
                            className="openi-LinkButton"
                            testId="openi-task-open-notebook"
                            onError={setActionError}
                          />
                          {writable && (
                            <button
                              type="button"
                              className="openi-LinkButton"
                              data-testid="openi-task-rerun"
                              onClick={() =>
                                void act(() =>
                                  client.tasks.rerun(fullName, t.id)
                                )
                              }
                            >
                              {trans.__('Run again')}
                            </button>
                          )}
                          {writable &&
                            (t.status === 'WAITING' ||
                              t.status === 'RUNNING') && (
                              <button
                                type="button"
                                className="openi-LinkButton"
                                data-testid="openi-task-stop"
                                onClick={() =>
                                  void act(() =>
                                    client.tasks.stop(fullName, t.id)
                                  )
                                }
                              >
                                {trans.__('Stop')}
                              </button>
                            )}
                          {writable && (
                            <button
                              type="button"
                              className="openi-LinkButton openi-mod-danger"
                              data-testid="openi-task-delete"
                              onClick={() => void remove(t)}
                            >
                              {trans.__('Delete')}
                            </button>
                          )}
                          <button
                            type="button"
                            className="openi-LinkButton"
                            data-testid="openi-task-more"
                            onClick={() =>
                              setView({ view: 'detail', id: t.id })
                            }
                          >
                            {trans.__('More')}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <Pager
                  page={page}
                  perPage={PER_PAGE}
                  total={data.total}
                  onPage={setPage}
                />
              </>
            )
          }
        </AsyncView>
      </>
    );
  }

  return (
    <div className="openi-TasksTab" data-testid="openi-tasks-tab">
      {subTabs}
      {body}
    </div>
  );
}
