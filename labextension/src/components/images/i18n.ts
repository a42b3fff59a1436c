/**
 * Simplified Chinese strings of cloud-brain images (云脑镜像), merged into
 * `ZH_CN_CATALOG`.
 */
export const ZH_CN_IMAGES: Readonly<Record<string, string>> = {
  Images: '云脑镜像',
  'New image': '新建镜像',
  'Search images…': '搜索镜像…',
  'Search images': '搜索镜像',
  'No images match “%1”.': '没有匹配“%1”的镜像。',
  'No images yet. Click “New image” to configure an environment once and use it in every task.':
    '暂无镜像。点击“新建镜像”，配置一次环境，在所有任务中使用。',
  'Image name': '镜像名称',
  'Container image address': '容器镜像地址',
  'Used by cluster executors, e.g. registry.example.com/team/pytorch:2.1':
    '供集群执行器使用，例如 registry.example.com/team/pytorch:2.1',
  Requirements: '依赖列表',
  'One PEP 508 requirement a line; empty: this server’s Python.':
    '每行一个 PEP 508 依赖；留空则使用本服务器的 Python。',
  Visibility: '可见性',
  'Create image': '创建镜像',
  Ready: '就绪',
  'Building…': '构建中…',
  'Build failed': '构建失败',
  'Not built yet': '尚未构建',
  'This server’s Python': '本服务器的 Python',
  'Build now': '立即构建',
  'Build log': '构建日志',
  'Hide log': '隐藏日志',
  'Built %1 times': '已构建 %1 次',
  'Delete image %1?': '删除镜像 %1？',
  Image: '镜像',
  'local — this server’s Python': 'local — 本服务器的 Python',
  'The environment is built when the first task starts; the task waits meanwhile.':
    '环境在第一个任务启动时构建，任务在此期间等待。',
  'The environment is being built; the task waits until it is ready.':
    '环境正在构建，任务将等待其就绪。',
  'The last build failed; a new task retries it.':
    '上次构建失败；新任务会重新构建。',
  'No build log yet.': '暂无构建日志。',
  'by %1': '创建者 %1',
  'Environment: %1': '环境：%1'
};
