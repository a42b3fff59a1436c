import * as React from 'react';

import type { ITrans } from '../i18n';
import type { IPagedList } from './hooks';
import { EmptyState, ErrorLine, Loading, MoreFooter } from './status';

/**
 * Renders a paged list with its loading, error, empty and "More" states, so
 * each section only says how one item looks.
 */
export function PagedBody<T>(props: {
  list: IPagedList<T>;
  trans: ITrans;
  emptyMessage: string;
  renderItem: (item: T) => React.ReactNode;
}): JSX.Element {
  const { list, trans, emptyMessage, renderItem } = props;
  const firstLoad = list.loading && list.items.length === 0;
  return (
    <>
      {list.items.length > 0 && (
        <ul className="openi-List">{list.items.map(renderItem)}</ul>
      )}
      {firstLoad && <Loading trans={trans} />}
      {list.error && (
        <ErrorLine trans={trans} message={list.error} onRetry={list.reload} />
      )}
      {!list.loading && !list.error && list.items.length === 0 && (
        <EmptyState message={emptyMessage} />
      )}
      <MoreFooter
        trans={trans}
        shown={list.items.length}
        total={list.total}
        hasMore={list.hasMore && !list.error}
        loading={list.loading}
        onMore={list.loadMore}
      />
    </>
  );
}
