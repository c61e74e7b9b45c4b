/** Open capacity of a connection point (scheme_builder/capacity.py, docs/ENGINEERING.md §4). */
export function loadLimit(asset, policy) {
  if (asset.load_limit !== null) return asset.load_limit;
  const table = policy.engineering.load_limit;
  if (asset.kind === 'feeder') return table.feeder_by_ties[String(Math.min(asset.ties, 3))];
  return table.distribution_transformer.value;
}

export function openCapacityKva(asset, policy, reservedExtra = 0.0) {
  return loadLimit(asset, policy) * asset.rating_kva - asset.peak_kva - asset.reserved_kva - reservedExtra;
}

/** Headroom with the substation's largest main transformer out (§4a); null when the data cannot say. */
export function nMinus1HeadroomKva(substation, requestedKva, policy) {
  if (!substation.transformers || !substation.rating_kva || substation.peak_kva === null) return null;
  const shares = policy.engineering.substation_n1_load_share.by_transformers;
  const most = Math.max(...Object.keys(shares).map((k) => Math.trunc(Number(k))));
  const share = shares[String(Math.min(substation.transformers, most))];
  return share * substation.rating_kva - substation.peak_kva - substation.reserved_kva - requestedKva;
}

export function loadRateAfter(asset, requestedKva, reservedExtra = 0.0) {
  return (asset.peak_kva + asset.reserved_kva + reservedExtra + requestedKva) / asset.rating_kva;
}

/** The generation an asset can still take (§4c): its hosting share of the rating less what is installed and reserved. */
export function hostingKva(asset, policy, reservedExtra = 0.0) {
  const share = policy.engineering.dg_hosting_share[asset.kind];
  return share * asset.rating_kva - asset.generation_kva - asset.reserved_kva - reservedExtra;
}

export function hostingRateAfter(asset, requestedKva, policy, reservedExtra = 0.0) {
  const share = policy.engineering.dg_hosting_share[asset.kind];
  return (asset.generation_kva + asset.reserved_kva + reservedExtra + requestedKva) / (share * asset.rating_kva);
}

export function upgradedRatingKva(asset, requestedKva, policy, reservedExtra = 0.0) {
  if (asset.kind === 'feeder') return null;
  const needed = asset.peak_kva + asset.reserved_kva + reservedExtra + requestedKva;
  const limit = loadLimit(asset, policy);
  return policy.engineering.transformer_ratings_kva.value.find((r) => r > asset.rating_kva && limit * r >= needed) ?? null;
}
