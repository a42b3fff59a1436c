import * as React from 'react';

import { errorMessage } from '../../api';
import { modelsClient } from '../../api/models';
import {
  isRunActive,
  parseVersionPath,
  type IPipeline,
  type IPipelineCreate,
  type IPipelineRun
} from '../../api/modelTypes';
import { canWrite } from '../datasets/DatasetPage';
import { AsyncView } from '../project/AsyncView';
import { useEnv, useProject } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { EmptyState } from '../status';
import { useInterval } from '../tasks/common';
import { confirmDanger, PipelineStatus } from './common';
import { modelNavigation } from './navigation';

const RUNS_PER_PAGE = 10;
/** The contract asks for 1–2 s while a run is RUNNING. */
const POLL_MS = 1500;

/** What the definition box starts with: train → register → evaluate. */
const TEMPLATE = JSON.stringify(
  {
    name: 'train-eval',
    description: '',
    steps: [
      {
        name: 'train',
        kind: 'train',
        boot_file: 'train.py',
        spec: 'cpu-small'
      },
      { name: 'register', kind: 'register', model: 'my-model' },
      {
        name: 'evaluate',
        kind: 'evaluation',
        boot_file: 'evaluate.py',
        spec: 'cpu-small'
      }
    ]
  },
  null,
  2
);

/** 新建流水线: from a YAML/JSON file of the repository, or a definition. */
function NewPipelineForm(props: {
  project: string;
  onCreated: (pipeline: IPipeline) => void;
  onCancel: () => void;
}): JSX.Element {
  const { project, onCreated, onCancel } = props;
  const { client, trans } = useEnv();
  const { project: info } = useProject();
  const [mode, setMode] = React.useState<'repo' | 'ui'>('repo');
  const [path, setPath] = React.useState('openi-pipeline.yaml');
  const [branch, setBranch] = React.useState(info.default_branch ?? '');
  const [definition, setDefinition] = React.useState(TEMPLATE);
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    let body: IPipelineCreate;
    if (mode === 'repo') {
      body = { path: path.trim(), branch };
    } else {
      try {
        const parsed = JSON.parse(definition) as IPipelineCreate['definition'];
        body = { name: parsed?.name, definition: parsed, branch };
      } catch (reason) {
        setError(
          trans.__('The definition is not valid JSON: %1', String(reason))
        );
        return;
      }
    }
    setBusy(true);
    try {
      onCreated(await modelsClient(client).createPipeline(project, body));
    } catch (reason) {
      setError(errorMessage(reason));
    }
    setBusy(false);
  };

  return (
    <form
      className="openi-Form"
      data-testid="openi-new-pipeline-form"
      onSubmit={e => void submit(e)}
    >
      <h3 className="openi-SubTitle">{trans.__('New pipeline')}</h3>
      <div className="openi-Segmented" role="tablist">
        {(
          [
            ['repo', 'From a repository file'],
            ['ui', 'From a definition']
          ] as const
        ).map(([key, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={mode === key}
            className={`openi-Chip${mode === key ? ' openi-mod-on' : ''}`}
            onClick={() => setMode(key)}
          >
            {trans.__(title)}
          </button>
        ))}
      </div>
      {mode === 'repo' ? (
        <label className="openi-Field">
          <span>{trans.__('File (YAML or JSON)')}</span>
          <input
            className="openi-Input openi-mono"
            value={path}
            data-testid="openi-pipeline-path"
            onChange={e => setPath(e.currentTarget.value)}
          />
          <span className="openi-Field-hint">
            {trans.__(
              'Read again at each run: editing the file changes the next run.'
            )}
          </span>
        </label>
      ) : (
        <label className="openi-Field">
          <span>{trans.__('Definition (JSON)')}</span>
          <textarea
            className="openi-Textarea openi-mono"
            rows={16}
            value={definition}
            data-testid="openi-pipeline-definition"
            onChange={e => setDefinition(e.currentTarget.value)}
          />
        </label>
      )}
      <label className="openi-Field">
        <span>{trans.__('Branch')}</span>
        <input
          className="openi-Input"
          value={branch}
          onChange={e => setBranch(e.currentTarget.value)}
        />
      </label>
      {error && (
        <div
          className="openi-ErrorLine"
          role="alert"
          data-testid="openi-form-error"
        >
          {error}
        </div>
      )}
      <div className="openi-Form-buttons">
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={busy}
          data-testid="openi-create-pipeline"
        >
          {busy ? trans.__('Creating…') : trans.__('Create pipeline')}
        </button>
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}

/** One run: its status and every step's status, task, log and version. */
function RunCard(props: {
  project: string;
  run: IPipelineRun;
  writable: boolean;
  onChanged: () => void;
}): JSX.Element {
  const { project, run, writable, onChanged } = props;
  const { client, trans } = useEnv();
  const nav = modelNavigation();
  const [error, setError] = React.useState<string | undefined>();
  return (
    <li
      className="openi-PipelineRun"
      data-testid="openi-pipeline-run"
      data-run={run.number}
      data-status={run.status}
    >
      <div className="openi-Toolbar">
        <strong>#{run.number}</strong>
        <PipelineStatus status={run.status} trans={trans} />
        <time dateTime={run.created_at} title={run.created_at}>
          {trans.relativeTime(run.created_at)}
        </time>
        {run.creator && <span>{run.creator.username}</span>}
        {run.commit && (
          <span className="openi-mono">{run.commit.slice(0, 10)}</span>
        )}
        {run.reuse && (
          <span className="openi-Badge">
            {trans.__('reuses unchanged steps')}
          </span>
        )}
        <span className="openi-Toolbar-spacer" />
        {writable && isRunActive(run.status) && (
          <button
            type="button"
            className="openi-LinkButton openi-mod-danger"
            data-testid="openi-pipeline-cancel"
            onClick={() =>
              void modelsClient(client)
                .cancelRun(project, run.id)
                .then(onChanged, reason => setError(errorMessage(reason)))
            }
          >
            {trans.__('Cancel run')}
          </button>
        )}
      </div>
      {run.reason && <div className="openi-Field-hint">{run.reason}</div>}
      {error && (
        <div className="openi-ErrorLine" role="alert">
          {error}
        </div>
      )}
      <ol className="openi-PipelineSteps">
        {run.steps.map(step => {
          const version = step.model_version
            ? parseVersionPath(step.model_version)
            : undefined;
          return (
            <li
              key={step.index}
              className={`openi-PipelineStep openi-PipelineStep-${step.status.toLowerCase()}`}
              data-testid="openi-pipeline-step"
              data-step={step.name}
              data-status={step.status}
            >
              <div className="openi-PipelineStep-head">
                <span className="openi-PipelineStep-name">{step.name}</span>
                <span className="openi-Field-hint">{step.kind}</span>
              </div>
              <PipelineStatus status={step.status} trans={trans} />
              {step.task_id !== null && (
                <div className="openi-PipelineStep-links">
                  <button
                    type="button"
                    className="openi-LinkButton"
                    data-testid="openi-pipeline-step-task"
                    disabled={!nav}
                    onClick={() =>
                      step.task_id !== null &&
                      nav?.openTask(project, step.task_id)
                    }
                  >
                    {step.task_name ?? `#${step.task_id}`}
                  </button>
                  <a
                    className="openi-LinkButton"
                    href={client.tasks.logDownloadUrl(project, step.task_id)}
                    target="_blank"
                    rel="noopener noreferrer"
                    data-testid="openi-pipeline-step-log"
                  >
                    {trans.__('Log')}
                  </a>
                </div>
              )}
              {version && (
                <button
                  type="button"
                  className="openi-LinkButton openi-mono"
                  data-testid="openi-pipeline-step-version"
                  disabled={!nav}
                  onClick={() =>
                    nav?.openVersion(
                      version.project,
                      version.model,
                      version.version
                    )
                  }
                >
                  {version.model}@{version.version}
                </button>
              )}
              {step.reused_from_run !== null && (
                <span className="openi-Field-hint">
                  {trans.__('from run #%1', step.reused_from_run)}
                </span>
              )}
              {step.reason && (
                <span className="openi-Field-hint" title={step.reason}>
                  {step.reason}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </li>
  );
}

/** A pipeline's runs, newest first, polled while one runs; Run pipeline. */
function PipelineRuns(props: {
  project: string;
  pipeline: IPipeline;
  writable: boolean;
  onBack: () => void;
  onDeleted: () => void;
}): JSX.Element {
  const { project, pipeline, writable, onBack, onDeleted } = props;
  const { client, trans } = useEnv();
  const models = modelsClient(client);
  const [page, setPage] = React.useState(1);
  const [generation, setGeneration] = React.useState(0);
  const [reuse, setReuse] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | undefined>();
  const runs = useAsync(
    () =>
      models.runs(project, pipeline.name, { page, per_page: RUNS_PER_PAGE }),
    `${project}/${pipeline.name}#${page}#${generation}`
  );
  const refresh = (): void => setGeneration(g => g + 1);
  const active = !!runs.data?.items.some(r => isRunActive(r.status));
  useInterval(refresh, POLL_MS, active);

  const run = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await models.run(project, pipeline.name, reuse);
      setPage(1);
      refresh();
    } catch (reason) {
      setError(errorMessage(reason));
    }
    setBusy(false);
  };
  const remove = async (): Promise<void> => {
    if (
      await confirmDanger(
        trans,
        trans.__('Delete pipeline %1?', pipeline.name),
        trans.__(
          'The pipeline and its runs are deleted; tasks and models stay.'
        )
      )
    ) {
      try {
        await models.deletePipeline(project, pipeline.name);
        onDeleted();
      } catch (reason) {
        setError(errorMessage(reason));
      }
    }
  };

  return (
    <div className="openi-PipelineRuns" data-testid="openi-pipeline-runs">
      <div className="openi-Toolbar">
        <button type="button" className="openi-LinkButton" onClick={onBack}>
          ← {trans.__('All pipelines')}
        </button>
        <span className="openi-Toolbar-spacer" />
        {writable && (
          <>
            <label className="openi-Checkbox">
              <input
                type="checkbox"
                checked={reuse}
                data-testid="openi-pipeline-reuse"
                onChange={e => setReuse(e.currentTarget.checked)}
              />
              {trans.__('Reuse unchanged steps')}
            </label>
            <button
              type="button"
              className="openi-Button openi-mod-primary"
              disabled={busy}
              data-testid="openi-pipeline-run-button"
              onClick={() => void run()}
            >
              {trans.__('Run pipeline')}
            </button>
            <button
              type="button"
              className="openi-Button"
              data-testid="openi-pipeline-delete"
              onClick={() => void remove()}
            >
              {trans.__('Delete')}
            </button>
          </>
        )}
      </div>
      <h3 className="openi-SubTitle">
        {pipeline.name}{' '}
        <span className="openi-Field-hint">
          {pipeline.definition.steps.map(s => s.name).join(' → ')}
        </span>
      </h3>
      {pipeline.description && <p>{pipeline.description}</p>}
      {pipeline.source === 'repo' && pipeline.path && (
        <p className="openi-Field-hint">
          {trans.__('Defined in %1 on %2', pipeline.path, pipeline.branch)}
        </p>
      )}
      {error && (
        <div
          className="openi-ErrorLine"
          role="alert"
          data-testid="openi-pipeline-error"
        >
          {error}
        </div>
      )}
      <AsyncView state={runs}>
        {data =>
          data.items.length === 0 ? (
            <EmptyState
              title={trans.__('No runs yet.')}
              message={trans.__(
                'Click “Run pipeline”: each step starts when the one before it succeeded.'
              )}
            />
          ) : (
            <>
              <ul className="openi-PipelineRunList">
                {data.items.map(r => (
                  <RunCard
                    key={r.id}
                    project={project}
                    run={r}
                    writable={writable}
                    onChanged={refresh}
                  />
                ))}
              </ul>
              <Pager
                page={page}
                perPage={RUNS_PER_PAGE}
                total={data.total}
                onPage={setPage}
              />
            </>
          )
        }
      </AsyncView>
    </div>
  );
}

/** The project's pipelines (流水线): list, new, runs of one. */
export function PipelinesView(): JSX.Element {
  const { client, trans } = useEnv();
  const { project } = useProject();
  const fullName = project.full_name;
  const writable = canWrite(project.role);
  const [view, setView] = React.useState<
    { view: 'list' } | { view: 'new' } | { view: 'runs'; pipeline: IPipeline }
  >({ view: 'list' });
  const [generation, setGeneration] = React.useState(0);
  const list = useAsync(
    () => modelsClient(client).pipelines(fullName, { per_page: 100 }),
    `${fullName}#pipelines#${generation}`
  );
  const back = (): void => {
    setGeneration(g => g + 1);
    setView({ view: 'list' });
  };

  if (view.view === 'new') {
    return (
      <NewPipelineForm
        project={fullName}
        onCreated={pipeline => setView({ view: 'runs', pipeline })}
        onCancel={back}
      />
    );
  }
  if (view.view === 'runs') {
    return (
      <PipelineRuns
        key={view.pipeline.name}
        project={fullName}
        pipeline={view.pipeline}
        writable={writable}
        onBack={back}
        onDeleted={back}
      />
    );
  }
  return (
    <div className="openi-Pipelines" data-testid="openi-pipelines">
      <div className="openi-Toolbar">
        <span className="openi-Toolbar-spacer" />
        <button
          type="button"
          className="openi-Button"
          onClick={() => setGeneration(g => g + 1)}
        >
          {trans.__('Refresh')}
        </button>
        {writable && (
          <button
            type="button"
            className="openi-Button openi-mod-primary"
            data-testid="openi-new-pipeline"
            onClick={() => setView({ view: 'new' })}
          >
            {trans.__('New pipeline')}
          </button>
        )}
      </div>
      <AsyncView state={list}>
        {data =>
          data.items.length === 0 ? (
            <EmptyState
              title={trans.__('No pipelines yet.')}
              message={trans.__(
                'A pipeline chains train → register → evaluate (→ inference) and runs them in one click.'
              )}
            />
          ) : (
            <table className="openi-Table" data-testid="openi-pipeline-list">
              <thead>
                <tr>
                  <th>{trans.__('Pipeline')}</th>
                  <th>{trans.__('Steps')}</th>
                  <th>{trans.__('Last run')}</th>
                  <th>{trans.__('Creator')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map(p => (
                  <tr
                    key={p.id}
                    data-testid="openi-pipeline-row"
                    data-pipeline={p.name}
                  >
                    <td>
                      <button
                        type="button"
                        className="openi-LinkButton"
                        data-testid="openi-pipeline-link"
                        onClick={() => setView({ view: 'runs', pipeline: p })}
                      >
                        {p.name}
                      </button>
                      {p.source === 'repo' && p.path && (
                        <span className="openi-Field-hint openi-mono">
                          {' '}
                          {p.path}
                        </span>
                      )}
                    </td>
                    <td>{p.definition.steps.map(s => s.name).join(' → ')}</td>
                    <td>
                      {p.last_run ? (
                        <>
                          #{p.last_run.number}{' '}
                          <PipelineStatus
                            status={p.last_run.status}
                            trans={trans}
                          />{' '}
                          <time dateTime={p.last_run.created_at}>
                            {trans.relativeTime(p.last_run.created_at)}
                          </time>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{p.creator?.username ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
    </div>
  );
}
