import * as React from 'react';

import { errorMessage } from '../../api';
import { modelsClient } from '../../api/models';
import type { IAliases, IModelVersion } from '../../api/modelTypes';
import { canWrite } from '../datasets/DatasetPage';
import { AsyncView } from '../project/AsyncView';
import { formatSize } from '../project/code/size';
import { useEnv, useProject } from '../project/env';
import { useAsync } from '../project/useAsync';
import { StatusBadge } from '../tasks/common';
import {
  confirmDanger,
  datasetOfPath,
  EngineBadge,
  formatMetric,
  MetricsTable,
  ShortHash
} from './common';
import { showImportDialog } from './importDialog';
import { modelNavigation } from './navigation';

/** Where the version came from: task, commit, dataset file, spec, params. */
function Lineage(props: { version: IModelVersion }): JSX.Element {
  const { lineage } = props.version;
  const { trans } = useEnv();
  const nav = modelNavigation();
  const dataset = lineage.dataset_path
    ? datasetOfPath(lineage.dataset_path)
    : undefined;
  return (
    <dl className="openi-TaskMeta" data-testid="openi-model-lineage">
      <dt>{trans.__('Source')}</dt>
      <dd data-testid="openi-lineage-source">
        {lineage.source === 'task'
          ? trans.__('Training task')
          : lineage.source === 'upload'
            ? trans.__('Upload')
            : trans.__('Notebook')}
      </dd>
      {(lineage.task_id !== null || lineage.task_name) && (
        <>
          <dt>{trans.__('Training task')}</dt>
          <dd>
            {lineage.task_id !== null && nav ? (
              <button
                type="button"
                className="openi-LinkButton"
                data-testid="openi-lineage-task"
                onClick={() =>
                  lineage.task_id !== null &&
                  nav.openTask(lineage.project, lineage.task_id)
                }
              >
                {lineage.task_name ?? `#${lineage.task_id}`}
              </button>
            ) : (
              <span data-testid="openi-lineage-task">
                {lineage.task_name}{' '}
                {lineage.task_id === null && (
                  <span className="openi-Field-hint">
                    ({trans.__('deleted')})
                  </span>
                )}
              </span>
            )}{' '}
            {lineage.task_status && (
              <StatusBadge
                status={lineage.task_status as never}
                trans={trans}
              />
            )}
          </dd>
        </>
      )}
      {lineage.commit && (
        <>
          <dt>{trans.__('Commit')}</dt>
          <dd>
            {lineage.branch && <span>{lineage.branch} </span>}
            <button
              type="button"
              className="openi-LinkButton openi-mono"
              data-testid="openi-lineage-commit"
              title={lineage.commit}
              disabled={!nav}
              onClick={() =>
                lineage.commit &&
                nav?.openCommit(lineage.project, lineage.commit)
              }
            >
              {lineage.commit.slice(0, 10)}
            </button>
          </dd>
        </>
      )}
      {lineage.boot_file && (
        <>
          <dt>{trans.__('Boot file')}</dt>
          <dd className="openi-mono">{lineage.boot_file}</dd>
        </>
      )}
      {lineage.dataset_path && (
        <>
          <dt>{trans.__('Dataset')}</dt>
          <dd>
            {dataset && nav ? (
              <button
                type="button"
                className="openi-LinkButton"
                data-testid="openi-lineage-dataset"
                onClick={() =>
                  nav.openDataset(dataset.project, dataset.dataset)
                }
              >
                {lineage.dataset_path}
              </button>
            ) : (
              <span data-testid="openi-lineage-dataset">
                {lineage.dataset_path}
              </span>
            )}{' '}
            {lineage.dataset_sha256 && (
              <ShortHash value={lineage.dataset_sha256} />
            )}
          </dd>
        </>
      )}
      {lineage.spec && (
        <>
          <dt>{trans.__('Resource spec')}</dt>
          <dd>
            {lineage.spec}
            {lineage.compute ? ` (${lineage.compute})` : ''}
          </dd>
        </>
      )}
      {lineage.image && (
        <>
          <dt>{trans.__('Image')}</dt>
          <dd className="openi-mono">{lineage.image}</dd>
        </>
      )}
      {lineage.params.length > 0 && (
        <>
          <dt>{trans.__('Run parameters')}</dt>
          <dd className="openi-mono">
            {lineage.params.map(p => `--${p.name}=${p.value}`).join(' ')}
          </dd>
        </>
      )}
    </dl>
  );
}

/** Training metrics, then each evaluation task's metrics. */
function MetricsSection(props: { version: IModelVersion }): JSX.Element {
  const { version } = props;
  const { trans } = useEnv();
  const nav = modelNavigation();
  const evaluations = version.evaluations ?? [];
  const hasTraining = Object.keys(version.metrics).length > 0;
  return (
    <div className="openi-ModelMetrics" data-testid="openi-model-metrics">
      <h4 className="openi-SubTitle">{trans.__('Metrics')}</h4>
      {!hasTraining && evaluations.length === 0 && (
        <p className="openi-Field-hint">
          {trans.__(
            'No metrics yet. A task that writes metrics.json to its model directory, or an evaluation task of this version, adds them.'
          )}
        </p>
      )}
      {hasTraining && (
        <>
          <h5 className="openi-ModelMetrics-title">{trans.__('Training')}</h5>
          <MetricsTable
            metrics={version.metrics}
            testid="openi-model-training-metrics"
          />
        </>
      )}
      {evaluations.length > 0 && (
        <>
          <h5 className="openi-ModelMetrics-title">
            {trans.__('Evaluations')}
          </h5>
          <table className="openi-Table" data-testid="openi-model-evaluations">
            <thead>
              <tr>
                <th>{trans.__('Evaluation task')}</th>
                <th>{trans.__('Status')}</th>
                <th>{trans.__('Metrics')}</th>
                <th>{trans.__('Finished')}</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map(e => (
                <tr key={e.task_id} data-testid="openi-model-evaluation">
                  <td>
                    <button
                      type="button"
                      className="openi-LinkButton"
                      disabled={!nav}
                      onClick={() => nav?.openTask(e.project, e.task_id)}
                    >
                      {e.task_name}
                    </button>
                  </td>
                  <td>
                    <StatusBadge status={e.status} trans={trans} />
                  </td>
                  <td className="openi-mono">
                    {Object.entries(e.metrics)
                      .map(([k, v]) => `${k}=${formatMetric(v)}`)
                      .join('  ') || '—'}
                  </td>
                  <td>
                    {e.finished_at ? (
                      <time dateTime={e.finished_at}>
                        {trans.relativeTime(e.finished_at)}
                      </time>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** The version's files with size, sha256 and a download link each. */
function FilesSection(props: { version: IModelVersion }): JSX.Element {
  const { version } = props;
  const { client, trans } = useEnv();
  const models = modelsClient(client);
  return (
    <>
      <h4 className="openi-SubTitle">
        {trans._n('%1 file', '%1 files', version.files.length)} ·{' '}
        {formatSize(version.size)}
      </h4>
      <div className="openi-TableWrap">
        <table className="openi-Table" data-testid="openi-model-files">
          <thead>
            <tr>
              <th>{trans.__('File')}</th>
              <th>{trans.__('Size')}</th>
              <th>SHA-256</th>
              <th>{trans.__('Actions')}</th>
            </tr>
          </thead>
          <tbody>
            {version.files.map(f => (
              <tr
                key={f.path}
                data-testid="openi-model-file"
                data-path={f.path}
              >
                <td className="openi-mono">{f.path}</td>
                <td>{formatSize(f.size)}</td>
                <td>
                  <ShortHash value={f.sha256} />
                </td>
                <td className="openi-Table-actions">
                  <a
                    className="openi-LinkButton"
                    href={models.downloadUrl(
                      version.project,
                      version.model,
                      version.version,
                      f.path
                    )}
                    download
                  >
                    {trans.__('Download')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Aliases of the model, a form to point one here, and who moved them when. */
function AliasesSection(props: {
  version: IModelVersion;
  writable: boolean;
  onChanged: () => void;
}): JSX.Element {
  const { version, writable, onChanged } = props;
  const { client, trans } = useEnv();
  const models = modelsClient(client);
  const [generation, setGeneration] = React.useState(0);
  const state = useAsync<IAliases>(
    () => models.aliases(version.project, version.model),
    `${version.project}/${version.model}#aliases#${generation}`
  );
  const [alias, setAlias] = React.useState('');
  const [error, setError] = React.useState<string | undefined>();

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await action();
      setGeneration(g => g + 1);
      onChanged();
    } catch (reason) {
      setError(errorMessage(reason));
    }
  };

  return (
    <div className="openi-ModelAliases" data-testid="openi-model-aliases">
      <h4 className="openi-SubTitle">{trans.__('Aliases')}</h4>
      {writable && (
        <form
          className="openi-Toolbar"
          onSubmit={e => {
            e.preventDefault();
            const name = alias.trim();
            if (name) {
              void act(async () => {
                await models.setAlias(
                  version.project,
                  version.model,
                  name,
                  version.version
                );
                setAlias('');
              });
            }
          }}
        >
          <input
            className="openi-Input"
            value={alias}
            placeholder="production"
            aria-label={trans.__('Alias')}
            data-testid="openi-alias-name"
            onChange={e => setAlias(e.currentTarget.value)}
          />
          <button
            type="submit"
            className="openi-Button"
            disabled={!alias.trim()}
            data-testid="openi-alias-set"
          >
            {trans.__('Point to %1', version.version)}
          </button>
        </form>
      )}
      {error && (
        <div className="openi-ErrorLine" role="alert">
          {error}
        </div>
      )}
      <AsyncView state={state}>
        {data => (
          <>
            {Object.keys(data.aliases).length === 0 ? (
              <p className="openi-Field-hint">
                {trans.__(
                  'No aliases. Point “production” or “staging” at a version to load it by that name.'
                )}
              </p>
            ) : (
              <ul className="openi-AliasList" data-testid="openi-alias-list">
                {Object.entries(data.aliases).map(([name, target]) => (
                  <li key={name} data-alias={name}>
                    <span className="openi-Badge openi-AliasBadge">{name}</span>{' '}
                    → <span className="openi-mono">{target}</span>
                    {writable && (
                      <button
                        type="button"
                        className="openi-LinkButton openi-mod-danger"
                        onClick={() =>
                          void act(() =>
                            models.removeAlias(
                              version.project,
                              version.model,
                              name
                            )
                          )
                        }
                      >
                        {trans.__('Remove')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {data.history.length > 0 && (
              <table className="openi-Table" data-testid="openi-alias-history">
                <thead>
                  <tr>
                    <th>{trans.__('Alias')}</th>
                    <th>{trans.__('Moved')}</th>
                    <th>{trans.__('By')}</th>
                    <th>{trans.__('When')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.history.map((e, i) => (
                    <tr key={i} data-testid="openi-alias-event">
                      <td>{e.alias}</td>
                      <td className="openi-mono">
                        {e.from_version ?? '∅'} → {e.to_version ?? '∅'}
                      </td>
                      <td>{e.actor?.username ?? '—'}</td>
                      <td>
                        <time dateTime={e.created_at} title={e.created_at}>
                          {trans.relativeTime(e.created_at)}
                        </time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </AsyncView>
    </div>
  );
}

/**
 * The page of one model version: files, lineage, metrics, aliases and
 * their history; Download, Reproduce, New version, Delete.
 */
export function VersionPage(props: {
  project: string;
  model: string;
  /** A semver, an alias or `latest`. */
  version: string;
  onDeleted: () => void;
}): JSX.Element {
  const { project, model, version, onDeleted } = props;
  const env = useEnv();
  const { client, trans } = env;
  const { project: info } = useProject();
  const models = modelsClient(client);
  const writable = canWrite(info.role);
  const [generation, setGeneration] = React.useState(0);
  const [actionError, setActionError] = React.useState<string | undefined>();
  const [deleted, setDeleted] = React.useState(false);
  const state = useAsync(
    () => models.version(project, model, version),
    `${project}/${model}@${version}#${generation}`
  );
  const nav = modelNavigation();

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    try {
      await action();
    } catch (reason) {
      setActionError(errorMessage(reason));
    }
  };

  if (deleted) {
    return (
      <p data-testid="openi-model-version-deleted">
        {trans.__('The version was deleted.')}
      </p>
    );
  }
  return (
    <div className="openi-VersionPage" data-testid="openi-model-version-page">
      <AsyncView state={state}>
        {v => (
          <>
            <div className="openi-Toolbar">
              <h3 className="openi-SubTitle" data-testid="openi-version-title">
                {v.model} <span className="openi-mono">@{v.version}</span>{' '}
                <EngineBadge engine={v.engine} trans={trans} />
                {v.aliases.map(a => (
                  <span key={a} className="openi-Badge openi-AliasBadge">
                    {a}
                  </span>
                ))}
              </h3>
              <span className="openi-Toolbar-spacer" />
              <a
                className="openi-Button"
                href={models.downloadUrl(project, v.model, v.version)}
                download
                data-testid="openi-version-download"
              >
                {trans.__('Download')}
              </a>
              {writable && (
                <button
                  type="button"
                  className="openi-Button"
                  data-testid="openi-version-reproduce"
                  disabled={v.lineage.source !== 'task' || !v.lineage.commit}
                  title={trans.__(
                    'A new training task with the same commit, dataset file, image, spec and parameters.'
                  )}
                  onClick={() =>
                    void act(async () => {
                      const task = await models.reproduce(
                        project,
                        v.model,
                        v.version
                      );
                      nav?.openTask(task.project, task.id);
                    })
                  }
                >
                  {trans.__('Reproduce')}
                </button>
              )}
              {writable && (
                <button
                  type="button"
                  className="openi-Button"
                  data-testid="openi-version-new"
                  onClick={() =>
                    void act(async () => {
                      const created = await showImportDialog(
                        env,
                        project,
                        v.model
                      );
                      if (created) {
                        nav?.openVersion(project, v.model, created.version);
                      }
                    })
                  }
                >
                  {trans.__('New version')}
                </button>
              )}
              {writable && (
                <button
                  type="button"
                  className="openi-Button"
                  data-testid="openi-version-delete"
                  onClick={() =>
                    void act(async () => {
                      if (
                        await confirmDanger(
                          trans,
                          trans.__('Delete %1@%2?', v.model, v.version),
                          trans.__(
                            'The version and its files are deleted; the model goes with its last version.'
                          )
                        )
                      ) {
                        await models.deleteVersion(project, v.model, v.version);
                        setDeleted(true);
                        onDeleted();
                      }
                    })
                  }
                >
                  {trans.__('Delete')}
                </button>
              )}
            </div>
            {actionError && (
              <div
                className="openi-ErrorLine"
                role="alert"
                data-testid="openi-version-error"
              >
                {actionError}
              </div>
            )}
            {v.description && <p>{v.description}</p>}
            <dl className="openi-TaskMeta" data-testid="openi-version-meta">
              <dt>{trans.__('Project')}</dt>
              <dd>{v.project}</dd>
              <dt>{trans.__('Size')}</dt>
              <dd data-testid="openi-version-size">{formatSize(v.size)}</dd>
              <dt>{trans.__('Compute resource')}</dt>
              <dd>{v.compute ?? '—'}</dd>
              <dt>{trans.__('Created')}</dt>
              <dd>
                <time dateTime={v.created_at} title={v.created_at}>
                  {trans.relativeTime(v.created_at)}
                </time>
                {v.creator && ` · ${v.creator.username}`}
              </dd>
              <dt>{trans.__('Downloads')}</dt>
              <dd>{v.download_count}</dd>
              {v.tags.length > 0 && (
                <>
                  <dt>{trans.__('Tags')}</dt>
                  <dd className="openi-Topics">
                    {v.tags.map(t => (
                      <span key={t} className="openi-Topic">
                        {t}
                      </span>
                    ))}
                  </dd>
                </>
              )}
              <dt>{trans.__('Load in a notebook')}</dt>
              <dd className="openi-mono">
                {`openi_lab.models.load_path("${project}/${v.model}", version="${v.version}")`}
              </dd>
            </dl>
            <h4 className="openi-SubTitle">{trans.__('Lineage')}</h4>
            <Lineage version={v} />
            <MetricsSection version={v} />
            <FilesSection version={v} />
            <AliasesSection
              version={v}
              writable={writable}
              onChanged={() => setGeneration(g => g + 1)}
            />
          </>
        )}
      </AsyncView>
    </div>
  );
}
