import * as React from 'react';

import { errorMessage, type ITask, type ITaskOutput } from '../../api';
import { modelsClient } from '../../api/models';
import { nextPatch, type IModelVersion } from '../../api/modelTypes';
import { useCanSubmit, type IFormDialogControl } from '../formDialog';
import { formatSize } from '../project/code/size';
import { useEnv } from '../project/env';
import { FieldError, FormError, fieldErrors } from '../project/FieldErrors';
import { useAsync } from '../project/useAsync';
import { ErrorLine, Loading } from '../status';

export const DESCRIPTION_MAX = 255;
const NAME_MAX = 64;

/** A task name made a model name (`[A-Za-z0-9._-]`, no leading dot). */
export function modelNameOf(taskName: string): string {
  return taskName
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\.+/, '')
    .slice(0, NAME_MAX);
}

/** The inline check of a model name (msgid, or undefined when fine). */
export function checkModelName(name: string): string | undefined {
  if (!name) {
    return 'A model name is required.';
  }
  if (name.length > NAME_MAX) {
    return 'At most 64 characters.';
  }
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) {
    return 'Only letters, digits, “.”, “_” and “-”, not starting with “.”.';
  }
  return undefined;
}

/** Output files of the chosen task, as checkboxes (all checked at first). */
function OutputChooser(props: {
  project: string;
  task: number;
  chosen: Set<string> | undefined;
  onChosen: (chosen: Set<string>, all: ITaskOutput[]) => void;
}): JSX.Element {
  const { project, task, chosen, onChosen } = props;
  const { client, trans } = useEnv();
  const outputs = useAsync(
    () => client.tasks.outputs(project, task),
    `${project}#${task}`
  );
  React.useEffect(() => {
    if (outputs.data) {
      onChosen(new Set(outputs.data.map(o => o.path)), outputs.data);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [outputs.data]);
  if (outputs.error !== undefined) {
    return (
      <ErrorLine
        trans={trans}
        message={errorMessage(outputs.error)}
        onRetry={outputs.reload}
      />
    );
  }
  if (!outputs.data || !chosen) {
    return <Loading trans={trans} />;
  }
  const all = outputs.data;
  if (all.length === 0) {
    return (
      <div className="openi-Field-hint">
        {trans.__('This task wrote no files to its model directory.')}
      </div>
    );
  }
  const toggle = (path: string): void => {
    const next = new Set(chosen);
    if (next.has(path)) {
      next.delete(path);
    } else {
      next.add(path);
    }
    onChosen(next, all);
  };
  return (
    <div className="openi-ModelFiles" data-testid="openi-import-files">
      <label className="openi-ModelFiles-all">
        <input
          type="checkbox"
          checked={chosen.size === all.length}
          onChange={() =>
            onChosen(
              chosen.size === all.length
                ? new Set()
                : new Set(all.map(o => o.path)),
              all
            )
          }
        />
        {trans.__('All files (%1)', all.length)}
      </label>
      {all.map(o => (
        <label key={o.path} className="openi-ModelFiles-file">
          <input
            type="checkbox"
            data-testid="openi-import-file"
            data-path={o.path}
            checked={chosen.has(o.path)}
            onChange={() => toggle(o.path)}
          />
          <span className="openi-mono">{o.path}</span>
          <span className="openi-Field-hint">{formatSize(o.size)}</span>
        </label>
      ))}
    </div>
  );
}

/**
 * 导入新模型 (or 创建新版本 when `model` is given) from a SUCCEEDED training
 * task or a file: the source, name, version, tags and description. The
 * server validates; its field errors show under the fields. Its dialog's
 * footer holds the submit button.
 */
export function ImportModelForm(props: {
  /** `owner/name`. */
  project: string;
  /** Set: a new version of this model (the name is fixed). */
  model?: string;
  control: IFormDialogControl;
  onCreated: (version: IModelVersion) => void;
}): JSX.Element {
  const { project, model, control, onCreated } = props;
  const { client, trans } = useEnv();
  const models = modelsClient(client);
  const tasks = useAsync(
    () =>
      client.tasks.list(project, {
        kind: 'train',
        status: 'SUCCEEDED',
        per_page: 100
      }),
    `${project}#succeeded-train`
  );
  const [source, setSource] = React.useState<'task' | 'file'>('task');
  const [upload, setUpload] = React.useState<File | undefined>();
  const [taskId, setTaskId] = React.useState<number | undefined>();
  const [chosen, setChosen] = React.useState<Set<string> | undefined>();
  const [allFiles, setAllFiles] = React.useState<ITaskOutput[]>([]);
  const [name, setName] = React.useState(model ?? '');
  const [nameTouched, setNameTouched] = React.useState(!!model);
  const [triedSave, setTriedSave] = React.useState(false);
  const [version, setVersion] = React.useState('');
  const [versionTouched, setVersionTouched] = React.useState(false);
  const [tags, setTags] = React.useState('');
  const [description, setDescription] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);

  const chooseTask = (task: ITask | undefined): void => {
    setTaskId(task?.id);
    setChosen(undefined);
    if (task && !nameTouched) {
      setName(modelNameOf(task.name));
    }
  };
  // The newest succeeded task is chosen at first.
  React.useEffect(() => {
    if (tasks.data && taskId === undefined && tasks.data.items.length) {
      chooseTask(tasks.data.items[0]);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tasks.data]);
  // The default version: the next patch of the model of that name. A
  // search rather than a GET of the model, which answers 404 for a new name.
  React.useEffect(() => {
    if (versionTouched || checkModelName(name)) {
      return;
    }
    let current = true;
    const handle = window.setTimeout(() => {
      models.list(project, { q: name, per_page: 100 }).then(
        page => {
          const found = page.items.find(m => m.name === name);
          if (current) {
            setVersion(nextPatch(found?.latest?.version));
          }
        },
        () => undefined
      );
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(handle);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project, name, versionTouched]);

  const nameProblem = model ? undefined : checkModelName(name);
  const over = description.length > DESCRIPTION_MAX;
  useCanSubmit(
    control,
    !busy &&
      (source === 'file'
        ? !!upload
        : taskId !== undefined && (chosen === undefined || chosen.size > 0))
  );

  const submitFile = async (): Promise<void> => {
    if (!upload) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await models.uploadFile(project, upload, {
          filename: upload.name,
          name,
          version: version.trim(),
          tags: tags.trim(),
          description
        })
      );
    } catch (reason) {
      setError(reason);
    }
    setBusy(false);
  };

  const chooseUpload = (file: File | undefined): void => {
    setUpload(file);
    if (file && !nameTouched) {
      setName(modelNameOf(file.name.replace(/\.[^.]*$/, '')));
    }
  };

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setTriedSave(true);
    if (nameProblem) {
      return;
    }
    if (source === 'file') {
      await submitFile();
      return;
    }
    if (taskId === undefined) {
      return;
    }
    setBusy(true);
    setError(undefined);
    const files =
      chosen && chosen.size !== allFiles.length ? [...chosen] : null;
    const body = {
      task_id: taskId,
      files,
      name,
      version: version.trim() || null,
      tags: tags.trim(),
      description
    };
    try {
      onCreated(
        model
          ? await models.createVersion(project, model, body)
          : await models.importFromTask(project, body)
      );
    } catch (reason) {
      setError(reason);
    }
    setBusy(false);
  };

  return (
    <form
      className="openi-Form openi-ImportModelForm"
      data-testid="openi-import-model-form"
      onSubmit={e => void submit(e)}
    >
      <div className="openi-Segmented" role="tablist">
        {(
          [
            ['task', 'From a training task'],
            ['file', 'From a file']
          ] as const
        ).map(([key, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={source === key}
            className={`openi-Chip${source === key ? ' openi-mod-on' : ''}`}
            data-testid={`openi-import-source-${key}`}
            onClick={() => {
              setSource(key);
              setError(undefined);
            }}
          >
            {trans.__(title)}
          </button>
        ))}
      </div>
      {source === 'task' ? (
        <>
          <label className="openi-Field">
            <span>{trans.__('Training task')} *</span>
            {tasks.error !== undefined ? (
              <ErrorLine
                trans={trans}
                message={errorMessage(tasks.error)}
                onRetry={tasks.reload}
              />
            ) : !tasks.data ? (
              <Loading trans={trans} />
            ) : tasks.data.items.length === 0 ? (
              <div
                className="openi-Field-hint"
                data-testid="openi-import-no-task"
              >
                {trans.__(
                  'No succeeded training task yet: run one in the Cloud brain tab first.'
                )}
              </div>
            ) : (
              <select
                className="openi-Select"
                name="task_id"
                value={taskId ?? ''}
                data-testid="openi-import-task"
                onChange={e =>
                  chooseTask(
                    tasks.data?.items.find(
                      t => t.id === Number(e.currentTarget.value)
                    )
                  )
                }
              >
                {tasks.data.items.map(t => (
                  <option key={t.id} value={t.id}>
                    {t.name} · {t.spec} · {trans.relativeTime(t.created_at)}
                  </option>
                ))}
              </select>
            )}
            <FieldError errors={errors} field="task_id" />
          </label>
          {taskId !== undefined && (
            <div className="openi-Field">
              <span>{trans.__('Model files')}</span>
              <OutputChooser
                project={project}
                task={taskId}
                chosen={chosen}
                onChosen={(next, all) => {
                  setChosen(next);
                  setAllFiles(all);
                }}
              />
              <FieldError errors={errors} field="files" />
            </div>
          )}
        </>
      ) : (
        <label className="openi-Field">
          <span>{trans.__('File')} *</span>
          <input
            className="openi-Input"
            type="file"
            data-testid="openi-import-upload"
            onChange={e => chooseUpload(e.currentTarget.files?.[0])}
          />
          <span className="openi-Field-hint">
            {trans.__(
              'One file up to 100 MiB; a .zip is expanded into its files.'
            )}
          </span>
          <FieldError errors={errors} field="filename" />
          <FieldError errors={errors} field="body" />
        </label>
      )}
      {!model && (
        <label className="openi-Field">
          <span>{trans.__('Model name')} *</span>
          <input
            className="openi-Input"
            name="name"
            value={name}
            aria-required
            data-testid="openi-import-name"
            onChange={e => {
              setNameTouched(true);
              setName(e.currentTarget.value);
            }}
          />
          {nameProblem && (nameTouched || triedSave) && (
            <div className="openi-FieldError" role="alert">
              {trans.__(nameProblem)}
            </div>
          )}
          <FieldError errors={errors} field="name" />
        </label>
      )}
      <label className="openi-Field">
        <span>{trans.__('Version')} *</span>
        <input
          className="openi-Input openi-mono"
          name="version"
          value={version}
          placeholder="0.0.1"
          data-testid="openi-import-version"
          onChange={e => {
            setVersionTouched(true);
            setVersion(e.currentTarget.value);
          }}
        />
        <FieldError errors={errors} field="version" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Tags')}</span>
        <input
          className="openi-Input"
          name="tags"
          value={tags}
          placeholder={trans.__('Space-separated, e.g. resnet imagenet')}
          data-testid="openi-import-tags"
          onChange={e => setTags(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="tags" />
        <FieldError errors={errors} field="query" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description')}</span>
        <textarea
          className="openi-Textarea"
          name="description"
          rows={3}
          value={description}
          data-testid="openi-import-description"
          onChange={e => setDescription(e.currentTarget.value)}
        />
        <span
          className={`openi-Field-hint${over ? ' openi-mod-over' : ''}`}
          data-testid="openi-import-description-count"
        >
          {description.length}/{DESCRIPTION_MAX}
        </span>
        <FieldError errors={errors} field="description" />
      </label>
      <FormError error={error} />
      {busy && (
        <p className="openi-muted" role="status">
          {trans.__('Saving…')}
        </p>
      )}
    </form>
  );
}
