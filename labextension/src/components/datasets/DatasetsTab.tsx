import * as React from 'react';

import { AsyncView } from '../project/AsyncView';
import { formatSize } from '../project/code/size';
import { useEnv, useProject } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { EmptyState } from '../status';
import { canWrite, DatasetPage } from './DatasetPage';
import { NewDatasetForm } from './NewDatasetForm';
import { UploadPanel } from './UploadPanel';

const PER_PAGE = 20;

type DatasetsView =
  { kind: 'list' } | { kind: 'new' } | { kind: 'detail'; name: string };

/** The project's Datasets tab (数据集): list, "New dataset", dataset pages. */
export function DatasetsTab(props: { initialDataset?: string }): JSX.Element {
  const { client, trans } = useEnv();
  const { project } = useProject();
  const fullName = project.full_name;
  const [view, setView] = React.useState<DatasetsView>(
    props.initialDataset
      ? { kind: 'detail', name: props.initialDataset }
      : { kind: 'list' }
  );
  React.useEffect(() => {
    if (props.initialDataset) {
      setView({ kind: 'detail', name: props.initialDataset });
    }
  }, [props.initialDataset]);
  const [page, setPage] = React.useState(1);
  const [generation, setGeneration] = React.useState(0);
  const list = useAsync(
    () => client.datasets.listOfProject(fullName, { page, per_page: PER_PAGE }),
    `${fullName}#${page}#${generation}`
  );
  const writable = canWrite(project.role);
  const back = (): void => {
    setGeneration(g => g + 1);
    setView({ kind: 'list' });
  };

  if (view.kind === 'new') {
    return (
      <NewDatasetForm
        project={fullName}
        onCreated={d => {
          setGeneration(g => g + 1);
          setView({ kind: 'detail', name: d.name });
        }}
        onCancel={back}
      />
    );
  }
  if (view.kind === 'detail') {
    return (
      <DatasetPage
        key={view.name}
        project={fullName}
        dataset={view.name}
        onBack={back}
        onDeleted={() => setGeneration(g => g + 1)}
      />
    );
  }
  return (
    <div className="openi-DatasetsTab" data-testid="openi-datasets-tab">
      <div className="openi-Toolbar">
        <span className="openi-Toolbar-spacer" />
        {writable && (
          <button
            type="button"
            className="openi-Button openi-mod-primary"
            data-testid="openi-new-dataset"
            onClick={() => setView({ kind: 'new' })}
          >
            {trans.__('New dataset')}
          </button>
        )}
      </div>
      <UploadPanel project={fullName} />
      <AsyncView state={list}>
        {data =>
          data.items.length === 0 ? (
            <EmptyState
              title={trans.__('No datasets yet.')}
              message={
                writable
                  ? trans.__(
                      'Click “New dataset” to create one, then upload files into it.'
                    )
                  : trans.__(
                      'Members with write access can create datasets here.'
                    )
              }
            />
          ) : (
            <>
              <ul className="openi-List" data-testid="openi-dataset-list">
                {data.items.map(d => (
                  <li key={d.id} className="openi-ListItem">
                    <div className="openi-ListItem-title">
                      <button
                        type="button"
                        className="openi-LinkButton openi-ListItem-name"
                        data-testid="openi-dataset-link"
                        onClick={() =>
                          setView({ kind: 'detail', name: d.name })
                        }
                      >
                        {d.name}
                      </button>
                      {d.visibility === 'private' && (
                        <span className="openi-Badge">
                          {trans.__('Private')}
                        </span>
                      )}
                      {d.favorite && (
                        <span title={trans.__('Favourited')}>★</span>
                      )}
                    </div>
                    {d.description && (
                      <div className="openi-ListItem-description">
                        {d.description}
                      </div>
                    )}
                    <div className="openi-ListItem-meta">
                      <span>
                        {trans._n('%1 file', '%1 files', d.num_files)}
                      </span>
                      <span>{formatSize(d.total_size)}</span>
                      {d.creator && <span>{d.creator.username}</span>}
                      <time dateTime={d.updated_at}>
                        {trans.__(
                          'Updated %1',
                          trans.relativeTime(d.updated_at)
                        )}
                      </time>
                    </div>
                  </li>
                ))}
              </ul>
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
    </div>
  );
}
