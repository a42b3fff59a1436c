/**
 * Simplified Chinese strings of datasets (数据集), uploads and the dataset
 * picker, merged into `ZH_CN_CATALOG`. Terms follow the OpenI site:
 * 数据集, 收藏, 当前项目 / 我的数据集 / 公开数据集 / 我收藏的.
 */
export const ZH_CN_DATASETS: Readonly<Record<string, string>> = {
  // sidebar
  Favourites: '我收藏的',
  'Search datasets': '搜索数据集',
  'Search datasets…': '搜索数据集…',
  'No datasets match “%1”.': '没有与“%1”匹配的数据集。',
  'No favourites yet. Open a dataset and click “Favourite” to keep it here.':
    '暂无收藏。打开一个数据集并点击“收藏”，它就会显示在这里。',
  'No datasets yet. To create one, open a project, go to its Datasets tab and click “New dataset”.':
    '暂无数据集。要创建数据集，请打开一个项目，进入其“数据集”标签页，点击“新建数据集”。',
  '%1 file': '%1 个文件',
  // project tab
  'New dataset': '新建数据集',
  'No datasets yet.': '暂无数据集。',
  'Click “New dataset” to create one, then upload files into it.':
    '点击“新建数据集”创建一个，然后向其中上传文件。',
  'Members with write access can create datasets here.':
    '拥有写权限的成员可以在这里创建数据集。',
  'Dataset name': '数据集名称',
  'Create dataset': '创建数据集',
  'All datasets': '全部数据集',
  // dataset page
  Favourite: '收藏',
  Favourited: '已收藏',
  'Delete dataset': '删除数据集',
  'Delete dataset %1?': '删除数据集 %1？',
  'The dataset and all its files are deleted. This cannot be undone.':
    '数据集及其全部文件将被删除，且无法恢复。',
  'The dataset %1 was deleted.': '数据集 %1 已删除。',
  'The file is removed from the dataset. This cannot be undone.':
    '该文件将从数据集中删除，且无法恢复。',
  Files: '文件',
  Name: '名称',
  Size: '大小',
  Kind: '类型',
  'Uploaded by': '上传者',
  Created: '创建时间',
  Downloads: '下载次数',
  Preview: '预览',
  'No files yet.': '暂无文件。',
  'No files yet. Upload one above.': '暂无文件。请在上方上传。',
  // archive preview
  'Contents of %1': '%1 的内容',
  'Close preview': '关闭预览',
  'This archive is flagged:': '该压缩包存在风险：',
  '%1 entry': '%1 个条目',
  'No thumbnail.': '没有缩略图。',
  'Binary content cannot be previewed.': '二进制内容无法预览。',
  'Only the beginning is shown.': '仅显示开头部分。',
  'Path leaves the archive (zip-slip)': '路径越出压缩包（zip-slip）',
  'Absolute path': '绝对路径',
  'Symbolic link': '符号链接',
  'Compression ratio too high (zip bomb)': '压缩比过高（压缩炸弹）',
  'Name is not valid UTF-8': '名称不是有效的 UTF-8',
  Encrypted: '已加密',
  // uploads
  Uploads: '上传',
  'Drop files here or': '将文件拖放到这里，或',
  'Choose files…': '选择文件…',
  'Computing sha256…': '正在计算 sha256…',
  'Starting…': '正在开始…',
  'Uploading…': '上传中…',
  'Verifying…': '校验中…',
  Completed: '已完成',
  Interrupted: '已中断',
  Failed: '失败',
  'already stored': '已存在，秒传',
  '%1 of %2': '%1 / %2',
  '%1 of %2 hashed': '已计算 %1 / %2',
  'Upload of %1': '%1 的上传',
  Resume: '继续上传',
  Dismiss: '关闭',
  'Select %1 again to continue where it stopped.':
    '请重新选择 %1，从中断处继续上传。',
  'Choose the same file: %1 (%2), unchanged since the upload started.':
    '请选择同一个文件：%1（%2），且上传开始后未被修改。',
  'Connection lost: %1': '连接中断：%1',
  'Too large for the size limit or your quota: %1':
    '超出大小限制或你的配额：%1',
  'The upload expired; start it again.': '上传已过期，请重新开始。',
  'Conflict: %1': '冲突：%1',
  'The stored bytes do not match the file’s sha256; nothing was added: %1':
    '已存储的数据与文件的 sha256 不一致，未添加任何文件：%1',
  'Invalid: %1': '无效：%1',
  // picker
  'Current project': '当前项目',
  'My datasets': '我的数据集',
  'Public datasets': '公开数据集',
  'My favourites': '我收藏的',
  'Search files, datasets and descriptions…': '搜索文件、数据集和描述…',
  'Search in this tab': '在此标签页中搜索',
  'Dataset files': '数据集文件',
  'No files match “%1” in this tab.': '此标签页中没有与“%1”匹配的文件。',
  'No dataset files in this tab.': '此标签页中没有数据集文件。',
  'Go to page': '跳转到页',
  Go: '跳转',
  OK: '确定',
  'Choose a dataset file': '选择数据集文件',
  // commands
  'Open dataset %1/%2': '打开数据集 %1/%2',
  'Pick a dataset file': '选择数据集文件',
  'Choose one dataset file; returns the chosen row (args: project).':
    '选择一个数据集文件；返回所选的行（参数：project）。',
  'OpenI: Pick a dataset…': 'OpenI：选择数据集…',
  'Chosen: %1 (%2)': '已选择：%1（%2）'
};
