import * as React from 'react';

import type { IPickerRow, ITask, ITaskParam, TaskKind } from '../../api';
import { AsyncView } from '../project/AsyncView';
import { useEnv, useProject } from '../project/env';
import { FieldError, FormError, fieldErrors } from '../project/FieldErrors';
import { useAsync } from '../project/useAsync';
import { ImageSelect } from '../images/ImageSelect';
import { TASK_KIND_NAMES } from './common';
import { ParamsEditor } from './ParamsEditor';

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const NAME_MAX = 64;
const DESCRIPTION_MAX = 255;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<username><yyyymmddHHMMss>`, the default task name. */
export function defaultTaskName(username: string, now = new Date()): string {
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${username.replace(/[^A-Za-z0-9_-]/g, '')}${stamp}`;
}

/** The inline check of a task name (msgid, or undefined when fine). */
export function checkTaskName(name: string): string | undefined {
  if (!name) {
    return 'A task name is required.';
  }
  if (name.length > NAME_MAX) {
    return 'At most 64 characters.';
  }
  if (!NAME_PATTERN.test(name)) {
    return 'Only letters, digits, “_” and “-”.';
  }
  return undefined;
}

/** "New task" of one kind: name, description, branch, spec, boot file… */
export function NewTaskForm(props: {
  /** `owner/name` of the project. */
  project: string;
  kind: TaskKind;
  onCreated: (task: ITask) => void;
  onCancel: () => void;
}): JSX.Element {
  const { project, kind, onCreated, onCancel } = props;
  const { client, trans, pickDataset } = useEnv();
  const { repo, project: info } = useProject();
  const me = useAsync(() => client.getCurrentUser(), 'me');
  const specs = useAsync(() => client.tasks.specs(), 'specs');
  const branches = useAsync(() => repo.branches(), `${project}#branches`);
  const [name, setName] = React.useState('');
  const [nameTouched, setNameTouched] = React.useState(false);
  const [description, setDescription] = React.useState('');
  const [branch, setBranch] = React.useState(info.default_branch ?? '');
  const [spec, setSpec] = React.useState('');
  const [image, setImage] = React.useState('local');
  const [bootFile, setBootFile] = React.useState('');
  const [dataset, setDataset] = React.useState<IPickerRow | undefined>();
  const [params, setParams] = React.useState<ITaskParam[]>([]);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);

  // The default name, once the user is known.
  React.useEffect(() => {
    if (me.data && !nameTouched && !name) {
      setName(defaultTaskName(me.data.username));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me.data]);
  // The first available spec.
  React.useEffect(() => {
    if (specs.data && !spec) {
      const first = specs.data.find(s => s.available);
      if (first) {
        setSpec(first.id);
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [specs.data]);

  const nameProblem = checkTaskName(name);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await client.tasks.create(project, {
          kind,
          name,
          description,
          branch,
          spec,
          image,
          boot_file: bootFile.trim(),
          dataset: dataset?.file_id ?? null,
          params: params.filter(p => p.name.trim())
        })
      );
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  const choose = async (): Promise<void> => {
    const row = await pickDataset(project);
    if (row) {
      setDataset(row);
    }
  };

  return (
    <form
      className="openi-Form"
      data-testid="openi-new-task-form"
      onSubmit={e => void submit(e)}
    >
      <h3 className="openi-SubTitle">
        {trans.__('New task')} · {trans.__(TASK_KIND_NAMES[kind])}
      </h3>
      <label className="openi-Field">
        <span>{trans.__('Task name')}</span>
        <input
          className="openi-Input"
          name="name"
          value={name}
          maxLength={NAME_MAX + 10}
          required
          data-testid="openi-task-name"
          onChange={e => {
            setNameTouched(true);
            setName(e.currentTarget.value);
          }}
        />
        {nameProblem && (
          <div
            className="openi-FieldError"
            role="alert"
            data-testid="openi-task-name-check"
          >
            {trans.__(nameProblem)}
          </div>
        )}
        <FieldError errors={errors} field="name" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description')}</span>
        <textarea
          className="openi-Textarea"
          name="description"
          rows={3}
          maxLength={DESCRIPTION_MAX}
          value={description}
          onChange={e => setDescription(e.currentTarget.value)}
        />
        <span
          className="openi-Field-hint"
          data-testid="openi-task-description-count"
        >
          {description.length}/{DESCRIPTION_MAX}
        </span>
        <FieldError errors={errors} field="description" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Branch')}</span>
        <AsyncView state={branches}>
          {data => (
            <select
              className="openi-Select"
              name="branch"
              value={branch}
              data-testid="openi-task-branch"
              onChange={e => setBranch(e.currentTarget.value)}
            >
              {!data.some(b => b.name === branch) && (
                <option value={branch}>{branch || '—'}</option>
              )}
              {data.map(b => (
                <option key={b.name} value={b.name}>
                  {b.name}
                </option>
              ))}
            </select>
          )}
        </AsyncView>
        <FieldError errors={errors} field="branch" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Resource spec')}</span>
        <AsyncView state={specs}>
          {data => (
            <select
              className="openi-Select"
              name="spec"
              value={spec}
              data-testid="openi-task-spec"
              onChange={e => setSpec(e.currentTarget.value)}
            >
              <option value="" disabled>
                {trans.__('Choose a spec')}
              </option>
              {data.map(s => (
                <option
                  key={s.id}
                  value={s.id}
                  disabled={!s.available}
                  title={s.reason}
                >
                  {s.id} — {s.label}
                  {!s.available && s.reason
                    ? ` (${trans.__('unavailable: %1', s.reason)})`
                    : ''}
                </option>
              ))}
            </select>
          )}
        </AsyncView>
        <FieldError errors={errors} field="spec" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Image')}</span>
        <ImageSelect
          client={client}
          trans={trans}
          value={image}
          onChange={setImage}
        />
        <FieldError errors={errors} field="image" />
      </label>
      <label className="openi-Field">
        <span>
          {kind === 'debug'
            ? trans.__('Boot file (optional)')
            : trans.__('Boot file')}
        </span>
        <input
          className="openi-Input openi-mono"
          name="boot_file"
          value={bootFile}
          required={kind !== 'debug'}
          placeholder={
            kind === 'debug'
              ? trans.__('setup.py: runs in the kernel when it starts')
              : 'train.py | sh:python train.py'
          }
          data-testid="openi-task-boot-file"
          onChange={e => setBootFile(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="boot_file" />
      </label>
      <div className="openi-Field">
        <span>{trans.__('Dataset')}</span>
        <div className="openi-Toolbar">
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-task-pick-dataset"
            onClick={() => void choose()}
          >
            {trans.__('Choose a dataset file…')}
          </button>
          {dataset && (
            <>
              <span data-testid="openi-task-dataset">
                {dataset.file_name} ({dataset.path})
              </span>
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
          testId="openi-task"
        />
        <FieldError errors={errors} field="params" />
      </div>
      <FormError error={error} />
      <div className="openi-Form-buttons">
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={
            busy ||
            !!nameProblem ||
            !spec ||
            (kind !== 'debug' && !bootFile.trim())
          }
          data-testid="openi-create-task"
        >
          {busy ? trans.__('Creating…') : trans.__('Create task')}
        </button>
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}
