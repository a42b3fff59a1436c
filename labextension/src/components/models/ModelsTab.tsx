import { InputDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorMessage } from '../../api';
import { modelsClient } from '../../api/models';
import type { IModel } from '../../api/modelTypes';
import { canWrite } from '../datasets/DatasetPage';
import { AsyncView } from '../project/AsyncView';
import { formatSize } from '../project/code/size';
import { useEnv, useProject } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { EmptyState } from '../status';
import { confirmDanger, EngineBadge } from './common';
import { showImportDialog } from './importDialog';
import { modelNavigation } from './navigation';
import { PipelinesView } from './PipelinesView';

const PER_PAGE = 20;
const VERSIONS_SHOWN = 10;

type SubTab = 'models' | 'pipelines';

/** The versions of one model, under its row (newest semver first). */
function VersionsRow(props: {
  project: string;
  model: string;
  columns: number;
}): JSX.Element {
  const { project, model, columns } = props;
  const { client, trans } = useEnv();
  const versions = useAsync(
    () =>
      modelsClient(client).versions(project, model, {
        per_page: VERSIONS_SHOWN
      }),
    `${project}/${model}#versions`
  );
  const nav = modelNavigation();
  return (
    <tr className="openi-ModelVersions" data-testid="openi-model-versions">
      <td colSpan={columns}>
        <AsyncView state={versions}>
          {data => (
            <ul className="openi-List">
              {data.items.map(v => (
                <li
                  key={v.id}
                  className="openi-ListItem openi-ModelVersions-item"
                  data-version={v.version}
                >
                  <button
                    type="button"
                    className="openi-LinkButton openi-mono"
                    data-testid="openi-model-version-link"
                    disabled={!nav}
                    onClick={() => nav?.openVersion(project, model, v.version)}
                  >
                    {v.version}
                  </button>
                  {v.aliases.map(a => (
                    <span key={a} className="openi-Badge openi-AliasBadge">
                      {a}
                    </span>
                  ))}
                  <span>{formatSize(v.size)}</span>
                  <time dateTime={v.created_at}>
                    {trans.relativeTime(v.created_at)}
                  </time>
                  <span>{v.creator?.username ?? '—'}</span>
                </li>
              ))}
              {data.total > data.items.length && (
                <li className="openi-Field-hint">
                  {trans.__('Showing %1 of %2', data.items.length, data.total)}
                </li>
              )}
            </ul>
          )}
        </AsyncView>
      </td>
    </tr>
  );
}

/** The list of models (模型管理) with SPEC's columns and actions. */
function ModelList(): JSX.Element {
  const env = useEnv();
  const { client, trans } = env;
  const { project } = useProject();
  const fullName = project.full_name;
  const models = modelsClient(client);
  const writable = canWrite(project.role);
  const [page, setPage] = React.useState(1);
  const [q, setQ] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const [generation, setGeneration] = React.useState(0);
  const [open, setOpen] = React.useState<string | undefined>();
  const [actionError, setActionError] = React.useState<string | undefined>();
  const list = useAsync(
    () => models.list(fullName, { q, page, per_page: PER_PAGE }),
    `${fullName}#${q}#${page}#${generation}`
  );
  const refresh = (): void => setGeneration(g => g + 1);
  const nav = modelNavigation();

  const act = async (action: () => Promise<unknown>): Promise<void> => {
    setActionError(undefined);
    try {
      await action();
    } catch (reason) {
      setActionError(errorMessage(reason));
    }
    refresh();
  };

  const importModel = async (model?: string): Promise<void> => {
    const created = await showImportDialog(env, fullName, model);
    if (created) {
      refresh();
      nav?.openVersion(fullName, created.model, created.version);
    }
  };

  const remove = async (m: IModel): Promise<void> => {
    if (
      await confirmDanger(
        trans,
        trans.__('Delete model %1?', m.name),
        trans.__(
          'All %1 versions of the model and their files are deleted.',
          m.num_versions
        )
      )
    ) {
      await act(() => models.delete(fullName, m.name));
    }
  };

  const setAlias = async (m: IModel): Promise<void> => {
    if (!m.latest) {
      return;
    }
    const known = Object.keys(m.aliases);
    const items = [
      ...known,
      ...['production', 'staging'].filter(a => !known.includes(a))
    ];
    const answer = await InputDialog.getItem({
      title: trans.__('Point an alias to %1@%2', m.name, m.latest.version),
      items,
      current: items[0],
      editable: true,
      placeholder: 'production'
    });
    const alias = answer.value?.trim();
    if (answer.button.accept && alias && m.latest) {
      const version = m.latest.version;
      await act(() => models.setAlias(fullName, m.name, alias, version));
    }
  };

  const reproduce = async (m: IModel): Promise<void> => {
    if (!m.latest) {
      return;
    }
    const version = m.latest.version;
    await act(async () => {
      const task = await models.reproduce(fullName, m.name, version);
      nav?.openTask(task.project, task.id);
    });
  };

  const columns = 9;
  return (
    <>
      <div className="openi-Toolbar">
        <form
          className="openi-SearchForm"
          onSubmit={e => {
            e.preventDefault();
            setPage(1);
            setQ(draft.trim());
          }}
        >
          <input
            className="openi-Input"
            type="search"
            value={draft}
            placeholder={trans.__('Search models…')}
            aria-label={trans.__('Search models')}
            data-testid="openi-model-search"
            onChange={e => {
              setDraft(e.currentTarget.value);
              if (!e.currentTarget.value) {
                setQ('');
              }
            }}
          />
        </form>
        <span className="openi-Toolbar-spacer" />
        <button type="button" className="openi-Button" onClick={refresh}>
          {trans.__('Refresh')}
        </button>
        {writable && (
          <button
            type="button"
            className="openi-Button openi-mod-primary"
            data-testid="openi-import-model"
            onClick={() => void importModel()}
          >
            {trans.__('Import a model')}
          </button>
        )}
      </div>
      {actionError && (
        <div
          className="openi-ErrorLine"
          role="alert"
          data-testid="openi-model-action-error"
        >
          {actionError}
        </div>
      )}
      <AsyncView state={list}>
        {data =>
          data.items.length === 0 ? (
            <EmptyState
              title={
                q
                  ? trans.__('No models match “%1”.', q)
                  : trans.__('No models yet.')
              }
              message={
                writable
                  ? trans.__(
                      'Run a training task in the Cloud brain tab, then click “Import a model” to register what it wrote.'
                    )
                  : trans.__(
                      'Members with write access can import models here.'
                    )
              }
            />
          ) : (
            <>
              <div className="openi-TableWrap">
                <table className="openi-Table" data-testid="openi-model-list">
                  <thead>
                    <tr>
                      <th>{trans.__('Model name')}</th>
                      <th>{trans.__('Version')}</th>
                      <th>{trans.__('Versions')}</th>
                      <th>{trans.__('Size')}</th>
                      <th>{trans.__('AI engine')}</th>
                      <th>{trans.__('Compute resource')}</th>
                      <th>{trans.__('Created')}</th>
                      <th>{trans.__('Creator')}</th>
                      <th>{trans.__('Actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map(m => (
                      <React.Fragment key={m.id}>
                        <tr data-testid="openi-model-row" data-model={m.name}>
                          <td>
                            <button
                              type="button"
                              className="openi-LinkButton openi-Table-name"
                              data-testid="openi-model-link"
                              title={m.description || m.name}
                              disabled={!nav || !m.latest}
                              onClick={() =>
                                m.latest &&
                                nav?.openVersion(
                                  fullName,
                                  m.name,
                                  m.latest.version
                                )
                              }
                            >
                              {m.name}
                            </button>
                            {Object.keys(m.aliases).map(a => (
                              <span
                                key={a}
                                className="openi-Badge openi-AliasBadge"
                                title={`${a} → ${m.aliases[a]}`}
                              >
                                {a}
                              </span>
                            ))}
                          </td>
                          <td
                            className="openi-mono"
                            data-testid="openi-model-version"
                          >
                            {m.latest?.version ?? '—'}
                          </td>
                          <td>
                            <button
                              type="button"
                              className="openi-LinkButton"
                              aria-expanded={open === m.name}
                              data-testid="openi-model-num-versions"
                              title={trans.__('Show versions')}
                              onClick={() =>
                                setOpen(o =>
                                  o === m.name ? undefined : m.name
                                )
                              }
                            >
                              {m.num_versions}
                            </button>
                          </td>
                          <td data-testid="openi-model-size">
                            {formatSize(m.size)}
                          </td>
                          <td>
                            <EngineBadge engine={m.engine} trans={trans} />
                          </td>
                          <td>{m.compute ?? '—'}</td>
                          <td>
                            <time dateTime={m.created_at} title={m.created_at}>
                              {trans.relativeTime(m.created_at)}
                            </time>
                          </td>
                          <td>{m.creator?.username ?? '—'}</td>
                          <td className="openi-Table-actions">
                            {writable && (
                              <button
                                type="button"
                                className="openi-LinkButton"
                                data-testid="openi-model-new-version"
                                onClick={() => void importModel(m.name)}
                              >
                                {trans.__('New version')}
                              </button>
                            )}
                            {m.latest && (
                              <a
                                className="openi-LinkButton"
                                href={models.downloadUrl(
                                  fullName,
                                  m.name,
                                  m.latest.version
                                )}
                                download
                                data-testid="openi-model-download"
                              >
                                {trans.__('Download')}
                              </a>
                            )}
                            {writable && m.latest && (
                              <button
                                type="button"
                                className="openi-LinkButton"
                                data-testid="openi-model-reproduce"
                                onClick={() => void reproduce(m)}
                              >
                                {trans.__('Reproduce')}
                              </button>
                            )}
                            {writable && m.latest && (
                              <button
                                type="button"
                                className="openi-LinkButton"
                                data-testid="openi-model-set-alias"
                                onClick={() => void setAlias(m)}
                              >
                                {trans.__('Set alias')}
                              </button>
                            )}
                            {writable && (
                              <button
                                type="button"
                                className="openi-LinkButton openi-mod-danger"
                                data-testid="openi-model-delete"
                                onClick={() => void remove(m)}
                              >
                                {trans.__('Delete')}
                              </button>
                            )}
                          </td>
                        </tr>
                        {open === m.name && (
                          <VersionsRow
                            project={fullName}
                            model={m.name}
                            columns={columns}
                          />
                        )}
                      </React.Fragment>
                    ))}
                  </tbody>
                </table>
              </div>
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

/** The project's Models tab (模型管理): models, and pipelines (流水线). */
export function ModelsTab(): JSX.Element {
  const { trans } = useEnv();
  const [sub, setSub] = React.useState<SubTab>('models');
  const tabs: Array<[SubTab, string]> = [
    ['models', 'Models'],
    ['pipelines', 'Pipelines']
  ];
  return (
    <div className="openi-ModelsTab" data-testid="openi-models-tab">
      <div className="openi-Tabs openi-SubTabs" role="tablist">
        {tabs.map(([key, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={sub === key}
            className={`openi-Tab${sub === key ? ' openi-mod-active' : ''}`}
            data-testid={`openi-models-sub-${key}`}
            onClick={() => setSub(key)}
          >
            {trans.__(title)}
          </button>
        ))}
      </div>
      {sub === 'models' ? <ModelList /> : <PipelinesView />}
    </div>
  );
}
