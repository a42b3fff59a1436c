/** Wire types of issues (任务), pull requests (合并请求) and the board. */
import type { IListQuery, IUser } from './types';

export type IssueState = 'open' | 'closed';

export interface ILabel {
  id: number;
  name: string;
  /** `#rrggbb`. */
  color: string;
  description: string;
}

export interface IMilestoneRef {
  id: number;
  title: string;
  state?: IssueState;
  due_on?: string | null;
}

export interface IIssueRef {
  project: string;
  number: number;
  title: string;
  state: IssueState;
  is_pull: boolean;
}

export interface IIssue {
  id: number;
  project?: string;
  number: number;
  title: string;
  body: string;
  state: IssueState;
  author: IUser | null;
  labels: ILabel[];
  assignees: IUser[];
  milestone: IMilestoneRef | null;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by?: IUser | null;
  is_pull: boolean;
  referenced_by: IIssueRef[];
}

/** Query of `GET .../issues` and `GET .../pulls`. */
export interface IIssueQuery extends IListQuery {
  state?: IssueState | 'all';
  label?: string;
}

export interface IIssueCreate {
  title: string;
  body?: string;
}

export interface IIssueUpdate {
  title?: string;
  body?: string;
  state?: IssueState;
}

export interface IComment {
  id: number;
  issue?: number;
  body: string;
  author: IUser | null;
  created_at: string;
  updated_at: string;
}

export interface IPull extends IIssue {
  /** `branch`, or `owner:branch` for a fork's branch. */
  head: string;
  base: string;
  head_sha: string;
  base_sha: string;
  mergeable: boolean | null;
  merged: boolean;
  merged_at: string | null;
  merged_by: IUser | null;
}

export interface IPullCreate {
  title: string;
  body?: string;
  head: string;
  base: string;
}

export type MergeMethod = 'merge' | 'fast-forward';

/** A card of the board (a subset of the issue). */
export interface IIssueCard {
  number: number;
  title: string;
  state: IssueState;
  author: IUser | null;
  labels: ILabel[];
  comments: number;
  position: number;
}

export interface IBoardColumn {
  id: number;
  title: string;
  position: number;
  issues: IIssueCard[];
}

export interface IBoard {
  columns: IBoardColumn[];
}
