/**
 * Simplified Chinese strings of "Run as training task" (作为训练任务运行),
 * merged into `ZH_CN_CATALOG`.
 */
export const ZH_CN_ONECLICK: Readonly<Record<string, string>> = {
  'Run as training task': '作为训练任务运行',
  'Run this notebook as a cloud-brain training task':
    '将此笔记本作为云脑训练任务运行',
  'Run as training task: %1': '作为训练任务运行：%1',
  'Runs %1 of %2 at %3 (%4).': '运行 %2 中的 %1，分支 %3（%4）。',
  'Runs a snapshot of this notebook: it is not in a clone of a project here.':
    '此笔记本不在本平台项目的克隆中：将运行它的快照。',
  'Project (owner/name)': '项目（所有者/名称）',
  'The snapshot runs beside the files of this project, which you need write access to.':
    '快照与该项目的文件一起运行，你需要该项目的写权限。',
  Image: '镜像',
  'Commit and push first': '先提交并推送',
  'Commit message': '提交说明',
  '%1 uncommitted file(s): %2': '%1 个未提交的文件：%2',
  'Your latest commit is not pushed yet.': '最新的提交尚未推送。',
  'Without committing, the task runs the last pushed commit, not what you see.':
    '不提交的话，任务运行的是最后推送的提交，而不是你现在看到的内容。',
  'Committing and pushing…': '正在提交并推送…',
  Run: '运行',
  'Starting…': '启动中…',
  'Pre-filled from your last task (%1).': '已按你上一个任务（%1）预填。',
  'from a notebook snapshot': '来自笔记本快照',
  'Task %1': '任务 %1',
  'Update %1': '更新 %1'
};
