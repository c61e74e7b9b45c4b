/** Dotted paths into a record (`customer.phone`), at most two levels: docs/SYNC_PROTOCOL.md "Push". */
export function getPath(record, path) {
  return path.split('.').reduce((node, key) => (node == null ? undefined : node[key]), record);
}

export function setPath(record, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((node, key) => {
    if (node[key] == null || typeof node[key] !== 'object') node[key] = {};
    return node[key];
  }, record);
  parent[last] = value;
}
