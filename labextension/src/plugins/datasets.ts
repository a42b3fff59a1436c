import type { JupyterFrontEnd } from '@jupyterlab/application';
import {
  type ICommandPalette,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';

import type { IPickerRow } from '../api';
import {
  DatasetWidget,
  datasetWidgetId
} from '../components/datasets/DatasetWidget';
import { showDatasetPicker } from '../components/datasets/DatasetPicker';
import type { IOpenIEnv } from '../components/project/env';
import { openiIcon } from '../icons';
import { CommandIds, PALETTE_CATEGORY } from '../ids';

/**
 * Dataset pages in the main area, and the dataset picker as commands:
 * `openi:pick-dataset {project}` returns the chosen `IPickerRow` (or
 * undefined), for other features (tasks) to call.
 */
export function registerDatasetCommands(
  app: JupyterFrontEnd,
  env: IOpenIEnv,
  palette: ICommandPalette | null,
  /** `owner/name` of the project the user looked at last, if any. */
  currentProject: () => string | undefined
): { openDataset(project: string, dataset: string): DatasetWidget } {
  const { commands, shell } = app;
  const { client, trans } = env;
  const tracker = new WidgetTracker<DatasetWidget>({
    namespace: 'openi-dataset'
  });

  const openDataset = (project: string, dataset: string): DatasetWidget => {
    const id = datasetWidgetId(project, dataset);
    let widget = tracker.find(w => w.id === id);
    if (!widget) {
      widget = new DatasetWidget(env, project, dataset);
      void tracker.add(widget);
      shell.add(widget, 'main');
    }
    shell.activateById(widget.id);
    return widget;
  };

  commands.addCommand(CommandIds.openDataset, {
    label: args =>
      trans.__(
        'Open dataset %1/%2',
        String(args.project),
        String(args.dataset)
      ),
    execute: args => {
      const project = args.project as string | undefined;
      const dataset = args.dataset as string | undefined;
      if (project && dataset) {
        return openDataset(project, dataset);
      }
      return undefined;
    }
  });

  const pick = (project?: string): Promise<IPickerRow | undefined> =>
    showDatasetPicker(client, trans, project || currentProject());

  commands.addCommand(CommandIds.pickDataset, {
    label: trans.__('Pick a dataset file'),
    caption: trans.__(
      'Choose one dataset file; returns the chosen row (args: project).'
    ),
    execute: args => pick(args.project as string | undefined)
  });

  commands.addCommand(CommandIds.pickDatasetNotify, {
    label: trans.__('OpenI: Pick a dataset…'),
    icon: openiIcon,
    execute: async args => {
      const row = await pick(args.project as string | undefined);
      if (row) {
        Notification.success(
          trans.__('Chosen: %1 (%2)', row.file_name, row.path),
          { autoClose: 10000 }
        );
      }
      return row;
    }
  });

  palette?.addItem({
    command: CommandIds.pickDatasetNotify,
    category: PALETTE_CATEGORY
  });

  return { openDataset };
}
