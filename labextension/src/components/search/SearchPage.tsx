import * as React from 'react';

import { errorMessage } from '../../api';
import type {
  ISearchHit,
  ISearchType,
  SearchSort
} from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { NavLink, PageButtons } from '../explore/common';
import {
  CommunityWidget,
  type ICommunityEnv,
  useCommunity
} from '../explore/context';
import { openRef } from '../explore/linkTargets';
import { useAsync } from '../project/useAsync';
import { EmptyState, ErrorLine, Loading } from '../status';

const PER_PAGE = 20;
const PER_GROUP = 5;

const SORTS: ReadonlyArray<[SearchSort, string]> = [
  ['relevance', 'Best match'],
  ['updated', 'Recently updated'],
  ['created', 'Newest']
];

/** The query of the results page. */
export interface ISearchState {
  q: string;
  type: string;
  sort: SearchSort;
  page: number;
}

/**
 * Keeps only `<mark>` of the server's highlighted HTML (it sends escaped
 * text with matches marked; this guards against anything else).
 */
export function markOnly(html: string): { __html: string } {
  return { __html: html.replace(/<(?!\/?mark>)[^>]*>/gi, '') };
}

/** The label of a result type, in the UI's language. */
function typeLabel(
  trans: ITrans,
  types: ISearchType[] | undefined,
  type: string
): string {
  const found = types?.find(t => t.type === type);
  if (found) {
    return trans.isChinese ? found.label_zh : found.label_en;
  }
  return type;
}

/** One hit: highlighted title, where it lives, the matching snippet. */
function HitItem(props: { hit: ISearchHit; trans: ITrans }): JSX.Element {
  const { hit, trans } = props;
  return (
    <li
      className="openi-ListItem openi-SearchHit"
      data-testid="openi-search-hit"
      data-type={hit.type}
    >
      <div className="openi-ListItem-title">
        <NavLink
          className="openi-SearchHit-title"
          testid="openi-search-hit-link"
          title={hit.ref}
          onOpen={nav => openRef(nav, hit.type, hit.ref)}
        >
          <span dangerouslySetInnerHTML={markOnly(hit.title_html)} />
        </NavLink>
        {hit.project && hit.project !== hit.ref && (
          <span className="openi-ListItem-subtitle">{hit.project}</span>
        )}
      </div>
      {hit.snippet_html && (
        <div
          className="openi-ListItem-description openi-SearchHit-snippet"
          dangerouslySetInnerHTML={markOnly(hit.snippet_html)}
        />
      )}
      <div className="openi-ListItem-meta">
        <span title={hit.updated_at}>
          {trans.__('Updated %1', trans.relativeTime(hit.updated_at))}
        </span>
      </div>
    </li>
  );
}

/** The results page (统一搜索): tabs per type with counts, hits, pages. */
export function SearchPage(props: {
  state: ISearchState;
  onChange: (state: ISearchState) => void;
}): JSX.Element {
  const { state, onChange } = props;
  const { community, trans } = useCommunity();
  const [text, setText] = React.useState(state.q);
  React.useEffect(() => setText(state.q), [state.q]);
  const types = useAsync(() => community.searchTypes(), 'types');
  const results = useAsync(
    () =>
      community.search({
        q: state.q,
        type: state.type,
        sort: state.sort,
        page: state.page,
        per_page: PER_PAGE,
        per_group: state.type === 'all' ? PER_GROUP : undefined
      }),
    JSON.stringify(state)
  );
  const data = results.data;
  const counts = data?.counts ?? {};
  const allTotal = Object.values(counts).reduce((a, b) => a + b, 0);
  const tabTypes = types.data?.map(t => t.type) ?? Object.keys(counts);
  const set = (change: Partial<ISearchState>) =>
    onChange({ ...state, page: 1, ...change });

  return (
    <div className="openi-SearchPage" data-testid="openi-search-page">
      <form
        className="openi-SearchPage-form"
        role="search"
        onSubmit={event => {
          event.preventDefault();
          if (text.trim()) {
            set({ q: text.trim() });
          }
        }}
      >
        <input
          type="search"
          className="openi-SearchPage-input"
          value={text}
          aria-label={trans.__('Search OpenI')}
          data-testid="openi-search-page-input"
          onChange={event => setText(event.target.value)}
        />
        <button type="submit" className="openi-Button">
          {trans.__('Search')}
        </button>
        <label className="openi-FilterRow-label">
          {trans.__('Sort')}
          <select
            value={state.sort}
            data-testid="openi-search-sort"
            onChange={event => set({ sort: event.target.value as SearchSort })}
          >
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {trans.__(label)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div className="openi-Tabs" role="tablist">
        {['all', ...tabTypes].map(type => (
          <button
            key={type}
            type="button"
            role="tab"
            aria-selected={state.type === type}
            className={`openi-Tab${state.type === type ? ' openi-mod-active' : ''}`}
            data-testid={`openi-search-tab-${type}`}
            onClick={() => set({ type })}
          >
            {type === 'all'
              ? trans.__('All')
              : typeLabel(trans, types.data, type)}
            {data && (
              <span
                className="openi-Tab-count"
                data-testid={`openi-search-count-${type}`}
              >
                {type === 'all' ? allTotal : (counts[type] ?? 0)}
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="openi-SearchPage-body">
        {results.error !== undefined && (
          <ErrorLine
            trans={trans}
            message={errorMessage(results.error)}
            onRetry={results.reload}
          />
        )}
        {!data && results.error === undefined && <Loading trans={trans} />}
        {data && data.total === 0 && (
          <EmptyState message={trans.__('Nothing matches “%1”.', state.q)} />
        )}
        {data && state.type === 'all' && (
          <div className="openi-SearchGroups">
            {data.groups.map(group => (
              <section
                key={group.type}
                className="openi-SearchGroup"
                data-testid={`openi-search-group-${group.type}`}
              >
                <h2 className="openi-SearchGroup-title">
                  {typeLabel(trans, types.data, group.type)}
                  <span className="openi-Tab-count">{group.count}</span>
                  {group.count > group.items.length && (
                    <button
                      type="button"
                      className="openi-LinkButton"
                      onClick={() => set({ type: group.type })}
                    >
                      {trans.__('All %1 results', group.count)}
                    </button>
                  )}
                </h2>
                <ul className="openi-List openi-CommunityList">
                  {group.items.map(hit => (
                    <HitItem
                      key={`${hit.type}-${hit.id}`}
                      hit={hit}
                      trans={trans}
                    />
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
        {data && state.type !== 'all' && data.items.length > 0 && (
          <>
            <ul className="openi-List openi-CommunityList">
              {data.items.map(hit => (
                <HitItem
                  key={`${hit.type}-${hit.id}`}
                  hit={hit}
                  trans={trans}
                />
              ))}
            </ul>
            <PageButtons
              trans={trans}
              page={state.page}
              perPage={PER_PAGE}
              total={data.total}
              onPage={page => onChange({ ...state, page })}
            />
          </>
        )}
      </div>
    </div>
  );
}

/** The results page in the main area; a new search reuses it. */
export class SearchWidget extends CommunityWidget {
  constructor(env: ICommunityEnv, q: string, type = 'all') {
    super(env, 'openi-search', env.trans.__('Search'), 'openi-search-view');
    this._show(q, type);
  }

  /** Shows the results of `q` (on `type`), from page 1. */
  search(q: string, type = 'all'): void {
    this._show(q, type);
    this.update();
  }

  protected renderPage(): JSX.Element {
    return (
      <SearchPage
        state={this._state}
        onChange={state => {
          this._state = state;
          this.title.label = this.env.trans.__('Search: %1', state.q);
          this.update();
        }}
      />
    );
  }

  private _show(q: string, type: string): void {
    this._state = { q, type, sort: 'relevance', page: 1 };
    this.title.label = this.env.trans.__('Search: %1', q);
  }

  private _state: ISearchState = {
    q: '',
    type: 'all',
    sort: 'relevance',
    page: 1
  };
}
