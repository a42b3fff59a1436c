// Stable identifiers that tests, commands and the shell layout rely on.

/** Id of the sidebar widget in the left area. */
export const SIDEBAR_ID = 'openi-lab-sidebar';

/** Translation domain of the extension. */
export const I18N_DOMAIN = 'openi_lab';

/** Command palette category. */
export const PALETTE_CATEGORY = 'OpenI';

/** Command ids. */
export const CommandIds = {
  openSidebar: 'openi:open-sidebar',
  refresh: 'openi:refresh',
  openApiDocs: 'openi:open-api-docs',
  openProject: 'openi:open-project',
  newProject: 'openi:new-project',
  openDataset: 'openi:open-dataset',
  pickDataset: 'openi:pick-dataset',
  pickDatasetNotify: 'openi:pick-dataset-notify'
} as const;
