/**
 * Simplified Chinese strings of the model registry (模型管理), lineage and
 * pipelines, merged into `ZH_CN_CATALOG`. Terms follow the OpenI site:
 * 导入新模型, 创建新版本, 模型名称, 版本, 版本数, 模型大小, AI引擎,
 * 计算资源, 创建时间, 创建者, 下载, 删除.
 */
export const ZH_CN_MODELS: Readonly<Record<string, string>> = {
  // sidebar
  'Search models': '搜索模型',
  'Search models…': '搜索模型…',
  'No models match “%1”.': '没有与“%1”匹配的模型。',
  'No models yet. Open a project, go to its Models tab and click “Import a model” after a training task succeeded.':
    '暂无模型。训练任务成功后，打开项目的“模型”标签页，点击“导入新模型”。',
  '%1 version': '%1 个版本',
  Unknown: '未知',
  // project tab
  Pipelines: '流水线',
  'Import a model': '导入新模型',
  'No models yet.': '暂无模型。',
  'Run a training task in the Cloud brain tab, then click “Import a model” to register what it wrote.':
    '先在“云脑”标签页运行训练任务，再点击“导入新模型”登记它的输出。',
  'Members with write access can import models here.':
    '拥有写权限的成员可以在这里导入模型。',
  'Model name': '模型名称',
  Version: '版本',
  Versions: '版本数',
  'AI engine': 'AI引擎',
  'Show versions': '查看全部版本',
  'New version': '创建新版本',
  Download: '下载',
  Reproduce: '复现',
  'Set alias': '设置别名',
  'Delete model %1?': '删除模型 %1？',
  'All %1 versions of the model and their files are deleted.':
    '该模型的全部 %1 个版本及其文件将被删除。',
  'Point an alias to %1@%2': '将别名指向 %1@%2',
  // import dialog
  'New version of %1': '%1 的新版本',
  'Training task': '训练任务',
  'No succeeded training task yet: run one in the Cloud brain tab first.':
    '还没有成功的训练任务：请先在“云脑”标签页运行一个。',
  'Model files': '模型文件',
  'From a training task': '来自训练任务',
  'From a file': '来自本地文件',
  'One file up to 100 MiB; a .zip is expanded into its files.':
    '单个文件，最大 100 MiB；.zip 文件会被解压为其中的文件。',
  'All files (%1)': '全部文件（%1）',
  'This task wrote no files to its model directory.':
    '该任务没有向模型目录写入任何文件。',
  'A model name is required.': '请填写模型名称。',
  'Only letters, digits, “.”, “_” and “-”, not starting with “.”.':
    '只能包含字母、数字、“.”、“_”和“-”，且不能以“.”开头。',
  Tags: '标签',
  'Space-separated, e.g. resnet imagenet': '以空格分隔，例如 resnet imagenet',
  'Saving…': '保存中…',
  // version page
  'Open model %1@%2': '打开模型 %1@%2',
  'Task %1': '任务 %1',
  Source: '来源',
  Upload: '上传',
  Notebook: '笔记本',
  deleted: '已删除',
  Commit: '提交',
  Image: '镜像',
  Lineage: '血缘',
  Metrics: '评估指标',
  'No metrics yet. A task that writes metrics.json to its model directory, or an evaluation task of this version, adds them.':
    '暂无指标。向模型目录写入 metrics.json 的任务，或使用该版本的评测任务会添加指标。',
  Training: '训练',
  Evaluations: '评测',
  'Evaluation task': '评测任务',
  Finished: '结束时间',
  '%1 file': '%1 个文件',
  File: '文件',
  Aliases: '别名',
  Alias: '别名',
  'Point to %1': '指向 %1',
  'No aliases. Point “production” or “staging” at a version to load it by that name.':
    '暂无别名。将“production”或“staging”指向某个版本，即可按该名称加载。',
  Moved: '变更',
  By: '操作者',
  When: '时间',
  'The version was deleted.': '该版本已删除。',
  'A new training task with the same commit, dataset file, image, spec and parameters.':
    '以相同的提交、数据集文件、镜像、规格和参数新建训练任务。',
  'Delete %1@%2?': '删除 %1@%2？',
  'The version and its files are deleted; the model goes with its last version.':
    '该版本及其文件将被删除；删除最后一个版本时模型一并删除。',
  Project: '项目',
  Downloads: '下载次数',
  'Load in a notebook': '在笔记本中加载',
  // pipelines
  Pending: '等待中',
  Skipped: '已跳过',
  Reused: '已复用',
  Cancelled: '已取消',
  'New pipeline': '新建流水线',
  'From a repository file': '来自仓库文件',
  'From a definition': '来自定义',
  'File (YAML or JSON)': '文件（YAML 或 JSON）',
  'Read again at each run: editing the file changes the next run.':
    '每次运行时重新读取：修改该文件会改变下一次运行。',
  'Definition (JSON)': '定义（JSON）',
  'The definition is not valid JSON: %1': '定义不是有效的 JSON：%1',
  'Create pipeline': '创建流水线',
  'reuses unchanged steps': '复用未变更的步骤',
  'Cancel run': '取消运行',
  'from run #%1': '来自运行 #%1',
  'All pipelines': '全部流水线',
  'Reuse unchanged steps': '复用未变更的步骤',
  'Run pipeline': '运行流水线',
  'Delete pipeline %1?': '删除流水线 %1？',
  'The pipeline and its runs are deleted; tasks and models stay.':
    '流水线及其运行记录将被删除；任务和模型会保留。',
  'Defined in %1 on %2': '定义于 %2 分支的 %1',
  'No runs yet.': '暂无运行记录。',
  'Click “Run pipeline”: each step starts when the one before it succeeded.':
    '点击“运行流水线”：每个步骤在上一步成功后开始。',
  'No pipelines yet.': '暂无流水线。',
  'A pipeline chains train → register → evaluate (→ inference) and runs them in one click.':
    '流水线将训练 → 登记 → 评测（→ 推理）串联起来，一键运行。',
  Pipeline: '流水线',
  Steps: '步骤',
  'Last run': '最近运行'
};
