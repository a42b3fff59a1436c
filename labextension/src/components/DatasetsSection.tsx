import * as React from 'react';

import type { DatasetScope, IDataset, IPage, OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { formatSize } from './project/code/size';
import { usePagedList } from './hooks';
import { PagedBody } from './PagedBody';

const PER_PAGE = 20;

const SCOPES: Array<[DatasetScope, string]> = [
  ['all', 'All'],
  ['mine', 'Mine'],
  ['public', 'Public'],
  ['favorites', 'Favourites']
];

/** Datasets (数据集) in the sidebar: all, mine, public, favourites; search. */
export function DatasetsSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
  /** Opens a dataset page; absent, the list is read-only. */
  openDataset?: (project: string, dataset: string) => void;
}): JSX.Element {
  const { client, trans, generation, openDataset } = props;
  const [scope, setScope] = React.useState<DatasetScope>('all');
  const [q, setQ] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const load = (page: number): Promise<IPage<IDataset>> =>
    client.datasets.list({ scope, q, page, per_page: PER_PAGE });
  const list = usePagedList(load, JSON.stringify([generation, scope, q]));
  // Datasets created or uploaded to in a project tab show up at once.
  const { refresh } = list;
  React.useEffect(() => client.datasets.onChanged(refresh), [client, refresh]);

  let empty: string;
  if (q) {
    empty = trans.__('No datasets match “%1”.', q);
  } else if (scope === 'favorites') {
    empty = trans.__(
      'No favourites yet. Open a dataset and click “Favourite” to keep it here.'
    );
  } else {
    empty = trans.__(
      'No datasets yet. To create one, open a project, go to its Datasets tab and click “New dataset”.'
    );
  }

  return (
    <div className="openi-DatasetsSection" data-testid="openi-datasets-section">
      <div className="openi-ProjectFilterBar">
        <div className="openi-Segmented" role="tablist">
          {SCOPES.map(([key, title]) => (
            <button
              key={key}
              type="button"
              role="tab"
              aria-selected={scope === key}
              className={`openi-Chip${scope === key ? ' openi-mod-on' : ''}`}
              data-testid={`openi-dataset-scope-${key}`}
              onClick={() => setScope(key)}
            >
              {trans.__(title)}
            </button>
          ))}
        </div>
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
            placeholder={trans.__('Search datasets…')}
            aria-label={trans.__('Search datasets')}
            data-testid="openi-dataset-search"
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
        emptyMessage={empty}
        renderItem={d => (
          <li
            key={d.id}
            className="openi-ListItem"
            data-testid="openi-sidebar-dataset"
            data-dataset={`${d.project}/${d.name}`}
          >
            <div className="openi-ListItem-title">
              {openDataset ? (
                <button
                  type="button"
                  className="openi-LinkButton openi-ListItem-name"
                  title={`${d.project}/${d.name}`}
                  onClick={() => openDataset(d.project, d.name)}
                >
                  {d.name}
                </button>
              ) : (
                <span className="openi-ListItem-name">{d.name}</span>
              )}
              {d.visibility === 'private' && (
                <span className="openi-Badge">{trans.__('Private')}</span>
              )}
              {d.favorite && <span title={trans.__('Favourited')}>★</span>}
            </div>
            <div className="openi-ListItem-subtitle">{d.project}</div>
            <div className="openi-ListItem-meta">
              <span>{trans._n('%1 file', '%1 files', d.num_files)}</span>
              <span>{formatSize(d.total_size)}</span>
              <time dateTime={d.updated_at}>
                {trans.__('Updated %1', trans.relativeTime(d.updated_at))}
              </time>
            </div>
          </li>
        )}
      />
    </div>
  );
}
