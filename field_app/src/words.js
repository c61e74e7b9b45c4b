/**
 * The app's own words (Chinese UI). Domain codes (stages, classes, asset kinds …) are named by the
 * server's tables, pulled as reference data `labels:`, so the app and the reply PDF say the same.
 */
export const SYNC_STATES = {
  unsynced: '本次启动尚未同步', idle: '已同步', uploading: '正在上传照片和签名', pushing: '正在提交', pulling: '正在接收',
  offline: '无网络，离线工作中', signed_out: '登录已失效，请重新登录（未同步的内容都已保留）', failed: '同步失败',
};

export const RESULT_STATUS = {
  applied: '已受理', merged: '已合并', conflict: '有冲突', rejected: '被拒绝', duplicate: '重复提交', held: '等待前序操作',
};

export const OP_TYPES = {
  'ticket.create': '新建工单', 'ticket.update': '修改工单', 'ticket.command': '工单操作', 'note.add': '备注',
  'document.add': '资料', 'photo.add': '照片', 'gps.add': '定位', 'signature.add': '签名',
};

export const COMMANDS = {
  complete_acceptance: '完成受理', propose_scheme: '生成供电方案', choose_option: '选择方案',
  sign_scheme: '客户签字确认', cancel: '撤销申请', connect: '装表接电', complete_works: '外部工程完工',
};

export const DOC_STATUS = { received: '已收', missing: '缺件' };

/** "2026-11-30 12:00" in Beijing time, the time every deadline is counted in. */
export function beijing(iso) {
  if (!iso) return '';
  const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}`;
}

/** The Chinese name of ``code`` in one table of the labels record, or the code itself. Own keys only:
 * a code such as "constructor" must not find what every object inherits. */
export function label(labels, table, code) {
  const names = labels && Object.hasOwn(labels, table) ? labels[table] : null;
  return (names && Object.hasOwn(names, code) && names[code]) || code;
}

// A rule's source as the customer may read it, as the reply PDF prints it (pdf/sources.py, which the
// golden vectors check this against): the official documents it rests on and the words quoted from
// them, never the project's own files or notes. Python's \b, \d and \s know Unicode; so do these.
const SEED = /(?<![\p{L}\p{N}_])(00[0-4])(?![\p{L}\p{N}_])/gu;
const STANDARD = /(?:GB\/[TZ]|DL\/T|Q\/GDW)\s?\p{Nd}+(?:\.\p{Nd}+)?(?:-\p{Nd}{4})?|供电营业规则(?:\s?[（(]1996[)）])?/gu;
const QUOTE = /「[^」]+」/gu;

export function officialSource(labels, source, assumed = false) {
  const seeds = (labels && labels.seed_documents) || {};
  const refs = [...source.matchAll(SEED)].map((m) => seeds[m[1]]).filter(Boolean);
  refs.push(...[...source.matchAll(STANDARD)].map((m) => m[0].replace(' (1996)', '（1996）').replace('(1996)', '（1996）')));
  let text = [...new Set(refs)].join('、') || '工程经验值';
  const quotes = [...source.matchAll(QUOTE)].map((m) => m[0]);
  if (quotes.length) text += '：' + quotes.slice(0, 2).join('');
  return text + (assumed ? '（本地区文件未规定，参照执行）' : '');
}
