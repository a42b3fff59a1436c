import * as React from 'react';

import type {
  IPickerRow,
  IResourceSpec,
  ITask,
  ITaskParam,
  OpenIClient
} from '../../api';
import type { ITrans } from '../../i18n';
import { useCanSubmit, type IFormDialogControl } from '../formDialog';
import { FieldError, FormError, fieldErrors } from '../project/FieldErrors';
import { checkTaskName } from '../tasks/NewTaskForm';
import { ParamsEditor } from '../tasks/ParamsEditor';
import type { IWorkspaceOrigin, OneClickApi } from './api';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<notebook stem>-<yyyymmddHHMMss>`, a valid task name. */
export function notebookTaskName(path: string, now = new Date()): string {
  const file = path.split('/').pop() ?? 'notebook';
  const stem = file.replace(/\.ipynb$/i, '').replace(/[^A-Za-z0-9_-]+/g, '-');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const head = stem.replace(/^-+|-+$/g, '').slice(0, 64 - stamp.length - 1);
  return head ? `${head}-${stamp}` : `notebook-${stamp}`;
}

/** What the dialog knows before it opens. */
export interface IRunContext {
  /** The notebook's path relative to the Jupyter root. */
  path: string;
  origin: IWorkspaceOrigin;
  last: ITask | null;
  specs: IResourceSpec[];
  /** Projects offered for a snapshot (`owner/name`). */
  projects: string[];
  /** The notebook as it is now (nbformat JSON). */
  content: () => unknown;
}

/**
 * The form of "Run as training task": a notebook in a clone of a project
 * here runs from that project's branch (after an optional commit and push);
 * any other notebook runs as a snapshot in a project the user picks. Fields
 * start from the user's last task.
 */
export function RunTaskForm(props: {
  client: OpenIClient;
  api: OneClickApi;
  trans: ITrans;
  run: IRunContext;
  pickDataset: (project: string) => Promise<IPickerRow | undefined>;
  /** The dialog around the form: its footer's Run submits it. */
  control: IFormDialogControl;
  onCreated: (project: string, task: ITask) => void;
}): JSX.Element {
  const { client, api, trans, run, pickDataset, control, onCreated } = props;
  const { origin, last, specs } = run;
  const fileName = run.path.split('/').pop() ?? run.path;
  const [project, setProject] = React.useState(
    origin.project ?? last?.project ?? ''
  );
  const [name, setName] = React.useState(notebookTaskName(run.path));
  const [spec, setSpec] = React.useState(() => {
    const ok = (id?: string): boolean =>
      !!id && specs.some(s => s.id === id && s.available);
    return ok(last?.spec)
      ? (last?.spec as string)
      : (specs.find(s => s.available)?.id ?? '');
  });
  const [image, setImage] = React.useState(last?.image ?? 'local');
  const [dataset, setDataset] = React.useState<
    { id: number; label: string } | undefined
  >(
    last?.dataset
      ? {
          id: last.dataset,
          label: last.dataset_path ?? `#${last.dataset}`
        }
      : undefined
  );
  const [params, setParams] = React.useState<ITaskParam[]>(
    last?.params.map(p => ({ ...p })) ?? []
  );
  const unsaved =
    origin.in_project && (origin.dirty.length > 0 || !origin.pushed);
  const [commit, setCommit] = React.useState(unsaved);
  const [message, setMessage] = React.useState(
    trans.__('Update %1', origin.file ?? fileName)
  );
  const [busy, setBusy] = React.useState<string | undefined>();
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);
  const nameProblem = checkTaskName(name);
  useCanSubmit(
    control,
    !busy && !nameProblem && !!spec && (origin.in_project || !!project)
  );

  const choose = async (): Promise<void> => {
    const row = await pickDataset(project);
    if (row) {
      setDataset({ id: row.file_id, label: `${row.file_name} (${row.path})` });
    }
  };

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      let where = origin;
      if (origin.in_project && commit) {
        setBusy(trans.__('Committing and pushing…'));
        where = await api.commitPush(run.path, message);
      }
      setBusy(trans.__('Starting…'));
      const common = {
        kind: 'train' as const,
        name,
        spec,
        image: image.trim() || 'local',
        dataset: dataset?.id ?? null,
        params: params.filter(p => p.name.trim())
      };
      const target = where.in_project ? (where.project as string) : project;
      const task = where.in_project
        ? await client.tasks.create(target, {
            ...common,
            branch: where.branch ?? '',
            boot_file: where.file ?? fileName
          })
        : await client.tasks.create(target, {
            ...common,
            boot_file: fileName,
            snapshot: { name: fileName, content: run.content() }
          });
      onCreated(target, task);
    } catch (reason) {
      setError(reason);
      setBusy(undefined);
    }
  };

  return (
    <form
      className="openi-Form openi-RunTaskForm"
      data-testid="openi-oneclick-form"
      onSubmit={e => void submit(e)}
    >
      <p className="openi-Field-hint" data-testid="openi-oneclick-source">
        {origin.in_project
          ? trans.__(
              'Runs %1 of %2 at %3 (%4).',
              origin.file ?? fileName,
              origin.project ?? '',
              origin.branch ?? '',
              (origin.commit ?? '').slice(0, 10)
            )
          : trans.__(
              'Runs a snapshot of this notebook: it is not in a clone of a project here.'
            )}
      </p>
      {last && (
        <p className="openi-Field-hint" data-testid="openi-oneclick-prefilled">
          {trans.__('Pre-filled from your last task (%1).', last.name)}
        </p>
      )}
      {!origin.in_project && (
        <label className="openi-Field">
          <span>{trans.__('Project (owner/name)')}</span>
          <input
            className="openi-Input"
            list="openi-oneclick-projects"
            value={project}
            required
            placeholder="owner/name"
            data-testid="openi-oneclick-project"
            onChange={e => setProject(e.currentTarget.value.trim())}
          />
          <datalist id="openi-oneclick-projects">
            {run.projects.map(p => (
              <option key={p} value={p} />
            ))}
          </datalist>
          <span className="openi-Field-hint">
            {trans.__(
              'The snapshot runs beside the files of this project, which you need write access to.'
            )}
          </span>
        </label>
      )}
      {unsaved && (
        <div className="openi-Field" data-testid="openi-oneclick-dirty">
          <span>
            {origin.dirty.length > 0
              ? trans.__(
                  '%1 uncommitted file(s): %2',
                  origin.dirty.length,
                  origin.dirty.slice(0, 5).join(', ')
                )
              : trans.__('Your latest commit is not pushed yet.')}
          </span>
          <label>
            <input
              type="checkbox"
              checked={commit}
              data-testid="openi-oneclick-commit"
              onChange={e => setCommit(e.currentTarget.checked)}
            />{' '}
            {trans.__('Commit and push first')}
          </label>
          {commit && origin.dirty.length > 0 && (
            <input
              className="openi-Input"
              aria-label={trans.__('Commit message')}
              placeholder={trans.__('Commit message')}
              value={message}
              required
              data-testid="openi-oneclick-message"
              onChange={e => setMessage(e.currentTarget.value)}
            />
          )}
          {!commit && (
            <span className="openi-Field-hint">
              {trans.__(
                'Without committing, the task runs the last pushed commit, not what you see.'
              )}
            </span>
          )}
        </div>
      )}
      <label className="openi-Field">
        <span>{trans.__('Task name')}</span>
        <input
          className="openi-Input"
          value={name}
          required
          data-testid="openi-oneclick-name"
          onChange={e => setName(e.currentTarget.value)}
        />
        {nameProblem && (
          <div className="openi-FieldError" role="alert">
            {trans.__(nameProblem)}
          </div>
        )}
        <FieldError errors={errors} field="name" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Resource spec')}</span>
        <select
          className="openi-Select"
          value={spec}
          data-testid="openi-oneclick-spec"
          onChange={e => setSpec(e.currentTarget.value)}
        >
          <option value="" disabled>
            {trans.__('Choose a spec')}
          </option>
          {specs.map(s => (
            <option
              key={s.id}
              value={s.id}
              disabled={!s.available}
              title={s.reason}
            >
              {s.id} — {s.label}
            </option>
          ))}
        </select>
        <FieldError errors={errors} field="spec" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Image')}</span>
        <input
          className="openi-Input openi-mono"
          value={image}
          data-testid="openi-oneclick-image"
          onChange={e => setImage(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="image" />
      </label>
      <div className="openi-Field">
        <span>{trans.__('Dataset')}</span>
        <div className="openi-Toolbar">
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-oneclick-pick-dataset"
            onClick={() => void choose()}
          >
            {trans.__('Choose a dataset file…')}
          </button>
          {dataset && (
            <>
              <span data-testid="openi-oneclick-dataset">{dataset.label}</span>
              <button
                type="button"
                className="openi-LinkButton"
                onClick={() => setDataset(undefined)}
              >
                {trans.__('Remove')}
              </button>
            </>
          )}
        </div>
        <FieldError errors={errors} field="dataset" />
      </div>
      <div className="openi-Field">
        <ParamsEditor
          params={params}
          onChange={setParams}
          trans={trans}
          testId="openi-oneclick"
        />
        <FieldError errors={errors} field="params" />
        <FieldError errors={errors} field="content" />
        <FieldError errors={errors} field="boot_file" />
      </div>
      <FormError error={error} />
      {busy && (
        <p
          className="openi-muted"
          role="status"
          data-testid="openi-oneclick-busy"
        >
          {busy}
        </p>
      )}
    </form>
  );
}
