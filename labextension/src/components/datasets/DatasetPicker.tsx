import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  errorMessage,
  type IPickerPage,
  type IPickerRow,
  type OpenIClient,
  type PickerTab
} from '../../api';
import type { ITrans } from '../../i18n';
import { formatSize } from '../project/code/size';
import { ErrorLine, Loading } from '../status';

/** 10 rows per page (SPEC "Choosing a dataset"). */
export const PICKER_PER_PAGE = 10;

/** The picker's tabs, in order: 当前项目 / 我的数据集 / 公开数据集 / 我收藏的. */
export const PICKER_TABS: ReadonlyArray<[PickerTab, string]> = [
  ['project', 'Current project'],
  ['mine', 'My datasets'],
  ['public', 'Public datasets'],
  ['favorites', 'My favourites']
];

/**
 * The picker: tabs, search within the tab, newest-first rows of files (name
 * and `owner/project/dataset`, one line each), single choice, paging with a
 * total and jump-to-page.
 */
export function DatasetPicker(props: {
  client: OpenIClient;
  trans: ITrans;
  /** `owner/name` of the current project, if any. */
  project?: string;
  onSelect: (row: IPickerRow | undefined) => void;
  /** Double click: choose and close. */
  onChoose?: (row: IPickerRow) => void;
}): JSX.Element {
  const { client, trans, project, onSelect, onChoose } = props;
  // Undefined until the server says which tab opens (the first non-empty).
  const [tab, setTab] = React.useState<PickerTab | undefined>();
  const [q, setQ] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const [page, setPage] = React.useState(1);
  const [jump, setJump] = React.useState('');
  const [data, setData] = React.useState<IPickerPage | undefined>();
  const [error, setError] = React.useState<string | undefined>();
  const [loading, setLoading] = React.useState(true);
  const [selected, setSelected] = React.useState<IPickerRow | undefined>();
  const [reloads, setReloads] = React.useState(0);

  React.useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    client.datasets
      .picker({ project, tab, q, page, per_page: PICKER_PER_PAGE })
      .then(
        answer => {
          if (current) {
            setData(answer);
            setLoading(false);
            if (tab === undefined) {
              setTab(answer.tab);
            }
          }
        },
        reason => {
          if (current) {
            setError(errorMessage(reason));
            setLoading(false);
          }
        }
      );
    return () => {
      current = false;
    };
  }, [client, project, tab, q, page, reloads]);

  const select = (row: IPickerRow | undefined): void => {
    setSelected(row);
    onSelect(row);
  };
  const pages = Math.max(
    1,
    Math.ceil((data?.total ?? 0) / (data?.per_page || PICKER_PER_PAGE))
  );
  const goTo = (target: number): void => {
    if (Number.isFinite(target)) {
      setPage(Math.min(Math.max(1, Math.trunc(target)), pages));
    }
  };
  const activeTab = tab ?? data?.tab;

  return (
    <div className="openi-Picker" data-testid="openi-dataset-picker">
      <div className="openi-Tabs" role="tablist">
        {PICKER_TABS.map(([key, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={activeTab === key}
            className={`openi-Tab${activeTab === key ? ' openi-mod-active' : ''}`}
            data-testid={`openi-picker-tab-${key}`}
            onClick={() => {
              setTab(key);
              setPage(1);
              select(undefined);
            }}
          >
            {trans.__(title)}
            {data?.tab_counts && (
              <span className="openi-Tab-count">{data.tab_counts[key]}</span>
            )}
          </button>
        ))}
      </div>
      <form
        className="openi-SearchForm"
        onSubmit={e => {
          e.preventDefault();
          setQ(draft.trim());
          setPage(1);
        }}
      >
        <input
          className="openi-Input"
          type="search"
          value={draft}
          placeholder={trans.__('Search files, datasets and descriptions…')}
          aria-label={trans.__('Search in this tab')}
          data-testid="openi-picker-search"
          onChange={e => {
            setDraft(e.currentTarget.value);
            if (!e.currentTarget.value) {
              setQ('');
              setPage(1);
            }
          }}
        />
      </form>
      {error && (
        <ErrorLine
          trans={trans}
          message={error}
          onRetry={() => setReloads(r => r + 1)}
        />
      )}
      {loading && !data && <Loading trans={trans} />}
      {data && (
        <ul
          className={`openi-Picker-rows${loading ? ' openi-mod-loading' : ''}`}
          role="listbox"
          aria-label={trans.__('Dataset files')}
        >
          {data.items.length === 0 && (
            <li className="openi-EmptyState" data-testid="openi-empty">
              {q
                ? trans.__('No files match “%1” in this tab.', q)
                : trans.__('No dataset files in this tab.')}
            </li>
          )}
          {data.items.map(row => {
            const on = selected?.file_id === row.file_id;
            return (
              <li
                key={row.file_id}
                role="option"
                aria-selected={on}
                tabIndex={0}
                className={`openi-Picker-row${on ? ' openi-mod-selected' : ''}`}
                data-testid="openi-picker-row"
                onClick={() => select(row)}
                onDoubleClick={() => onChoose?.(row)}
                onKeyDown={e => {
                  if (e.key === ' ' || e.key === 'Enter') {
                    e.preventDefault();
                    select(row);
                  }
                }}
              >
                <input
                  type="radio"
                  name="openi-picker-choice"
                  checked={on}
                  readOnly
                  tabIndex={-1}
                  aria-hidden
                />
                <div className="openi-Picker-text">
                  <div
                    className="openi-Picker-name openi-ellipsis"
                    title={row.file_name}
                  >
                    {row.file_name}
                  </div>
                  <div
                    className="openi-Picker-path openi-ellipsis openi-muted"
                    title={row.path}
                  >
                    {row.path}
                  </div>
                </div>
                <div className="openi-Picker-meta openi-muted">
                  <span>{formatSize(row.size)}</span>
                  <time dateTime={row.created_at} title={row.created_at}>
                    {trans.relativeTime(row.created_at)}
                  </time>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {data && (
        <div className="openi-Pager openi-Picker-pager">
          <span data-testid="openi-picker-total">
            {trans._n('%1 file', '%1 files', data.total)}
          </span>
          <span className="openi-Toolbar-spacer" />
          <button
            type="button"
            className="openi-Button"
            disabled={page <= 1}
            onClick={() => goTo(page - 1)}
          >
            {trans.__('Previous')}
          </button>
          <span>{trans.__('Page %1 of %2', page, pages)}</span>
          <button
            type="button"
            className="openi-Button"
            disabled={page >= pages}
            onClick={() => goTo(page + 1)}
          >
            {trans.__('Next')}
          </button>
          <form
            className="openi-Picker-jump"
            onSubmit={e => {
              e.preventDefault();
              goTo(Number(jump));
              setJump('');
            }}
          >
            <input
              className="openi-Input"
              type="number"
              min={1}
              max={pages}
              value={jump}
              aria-label={trans.__('Go to page')}
              placeholder={String(page)}
              data-testid="openi-picker-jump"
              onChange={e => setJump(e.currentTarget.value)}
            />
            <button type="submit" className="openi-Button">
              {trans.__('Go')}
            </button>
          </form>
        </div>
      )}
    </div>
  );
}

/** Dialog body holding the current choice for `Dialog`'s `getValue`. */
class PickerBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IPickerRow | undefined>
{
  constructor(
    private readonly _props: {
      client: OpenIClient;
      trans: ITrans;
      project?: string;
    }
  ) {
    super();
    this.addClass('openi-PickerDialog');
  }

  /** Set once the dialog exists: a double click chooses and closes. */
  onChoose: ((row: IPickerRow) => void) | undefined;

  getValue(): IPickerRow | undefined {
    return this._value;
  }

  protected render(): JSX.Element {
    return (
      <DatasetPicker
        {...this._props}
        onSelect={row => {
          this._value = row;
        }}
        onChoose={row => {
          this._value = row;
          this.onChoose?.(row);
        }}
      />
    );
  }

  private _value: IPickerRow | undefined;
}

/**
 * Shows the dataset picker; resolves to the chosen file row, or undefined
 * when cancelled or nothing was chosen.
 */
export async function showDatasetPicker(
  client: OpenIClient,
  trans: ITrans,
  project?: string
): Promise<IPickerRow | undefined> {
  const body = new PickerBody({ client, trans, project });
  const dialog = new Dialog<IPickerRow | undefined>({
    title: trans.__('Choose a dataset file'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('OK') })
    ]
  });
  body.onChoose = () => dialog.resolve(1);
  const result = await dialog.launch();
  dialog.dispose();
  return result.button.accept ? (result.value ?? undefined) : undefined;
}
