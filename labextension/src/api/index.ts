// Public surface of the REST API client.
export * from './types';
export * from './repoTypes';
export * from './trackerTypes';
export * from './datasetTypes';
export * from './taskTypes';
export * from './modelTypes';
export { ApiError, errorMessage } from './errors';
export { API_PREFIX, apiUrl } from './request';
export { OpenIClient, type IOpenIClientOptions } from './client';
export { RepoClient } from './repo';
export { DatasetsClient } from './datasets';
export { TasksClient } from './tasks';
export { ModelsClient, modelsClient } from './models';
