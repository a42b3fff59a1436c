import * as React from 'react';

import type { IPage, OpenIClient } from '../../api';
import { modelsClient } from '../../api/models';
import type { IModel } from '../../api/modelTypes';
import type { ITrans } from '../../i18n';
import { usePagedList } from '../hooks';
import { PagedBody } from '../PagedBody';
import { formatSize } from '../project/code/size';
import { modelNavigation } from './navigation';

const PER_PAGE = 20;

/** Models (模型) in the sidebar: every model I can see, newest first. */
export function ModelsSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const [q, setQ] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const load = (page: number): Promise<IPage<IModel>> =>
    modelsClient(client).listAll({ q, page, per_page: PER_PAGE });
  const list = usePagedList(load, JSON.stringify([generation, q]));
  const nav = modelNavigation();

  return (
    <div className="openi-ModelsSection" data-testid="openi-models-section">
      <div className="openi-ProjectFilterBar">
        <form
          className="openi-SearchForm"
          onSubmit={e => {
            e.preventDefault();
            setQ(draft.trim());
          }}
        >
          <input
            className="openi-Input"
            type="search"
            value={draft}
            placeholder={trans.__('Search models…')}
            aria-label={trans.__('Search models')}
            data-testid="openi-models-section-search"
            onChange={e => {
              setDraft(e.currentTarget.value);
              if (!e.currentTarget.value) {
                setQ('');
              }
            }}
          />
        </form>
      </div>
      <PagedBody
        list={list}
        trans={trans}
        emptyMessage={
          q
            ? trans.__('No models match “%1”.', q)
            : trans.__(
                'No models yet. Open a project, go to its Models tab and click “Import a model” after a training task succeeded.'
              )
        }
        renderItem={m => (
          <li
            key={m.id}
            className="openi-ListItem"
            data-testid="openi-models-section-item"
            data-model={m.name}
          >
            <div className="openi-ListItem-title">
              {nav && m.latest ? (
                <button
                  type="button"
                  className="openi-LinkButton openi-ListItem-name"
                  title={`${m.project}/${m.name}`}
                  onClick={() =>
                    m.latest &&
                    nav.openVersion(m.project, m.name, m.latest.version)
                  }
                >
                  {m.name}
                </button>
              ) : (
                <span className="openi-ListItem-name">{m.name}</span>
              )}
              {m.latest && (
                <span className="openi-mono">{m.latest.version}</span>
              )}
            </div>
            <div className="openi-ListItem-subtitle">{m.project}</div>
            <div className="openi-ListItem-meta">
              <span>
                {m.engine === 'unknown' ? trans.__('Unknown') : m.engine}
              </span>
              <span>{formatSize(m.size)}</span>
              <span>
                {trans._n('%1 version', '%1 versions', m.num_versions)}
              </span>
              <time dateTime={m.updated_at}>
                {trans.__('Updated %1', trans.relativeTime(m.updated_at))}
              </time>
            </div>
          </li>
        )}
      />
    </div>
  );
}
