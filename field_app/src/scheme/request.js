/** The scheme request, checked and completed with defaults (scheme_builder/request.py). */
import { InvalidRequest } from './errors.js';
import { pyRound } from './canon.js';

export const RELIABILITY_CLASSES = ['ordinary', 'level2', 'level1', 'special'];
export const CUSTOMER_CLASSES = ['resident', 'non_resident', 'micro_enterprise'];
const TICKET_FIELDS = ['business_type', 'customer_class', 'capacity_kva', 'capacity_kw', 'phase', 'power_factor',
  'reliability_class', 'location', 'park_or_electrification', 'ev_charging', 'zone'];

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const positive = (v) => isNumber(v) && v > 0;
const get = (obj, key, fallback = null) => (key in obj ? obj[key] : fallback);
const blank = (v) => v === null || v === undefined || v === '';

export function normalizeRequest(request, policy) {
  const errors = {};
  for (const name of ['business_type', 'customer_class', 'location']) if (blank(request[name])) errors[name] = ['required'];
  const powerFactor = request.power_factor || policy.number('default_power_factor')[0];
  if (!positive(powerFactor) || powerFactor > 1) errors.power_factor = ['a number in (0, 1]'];
  let kw = get(request, 'capacity_kw');
  let kva = get(request, 'capacity_kva');
  if (kva === null && kw === null) errors.capacity_kva = ['give capacity_kva or capacity_kw'];
  for (const [name, value] of [['capacity_kva', kva], ['capacity_kw', kw]]) if (value !== null && !positive(value)) errors[name] = ['must be > 0'];
  const location = get(request, 'location');
  if (location !== null && !validLocation(location)) errors.location = ['lon in [-180, 180] and lat in [-90, 90]'];
  if (!RELIABILITY_CLASSES.includes(get(request, 'reliability_class', 'ordinary'))) errors.reliability_class = [`one of ${RELIABILITY_CLASSES.join(', ')}`];
  if (!blank(request.customer_class) && !CUSTOMER_CLASSES.includes(request.customer_class)) errors.customer_class = [`one of ${CUSTOMER_CLASSES.join(', ')}`];
  if (![1, 3].includes(get(request, 'phase', 3))) errors.phase = ['1 or 3'];
  if (Object.keys(errors).length) throw new InvalidRequest('the scheme request is not valid', errors);
  const charging = policy.business(request.business_type).nature === 'charging';   // a charging business is EV charging
  if (kva === null) kva = kw / powerFactor;
  if (kw === null) kw = kva * powerFactor;
  return {
    region: policy.region, policy_year: policy.year, zone: policy.zone(get(request, 'zone')).zone,
    business_type: request.business_type, customer_class: request.customer_class,
    capacity_kva: pyRound(kva, 3), capacity_kw: pyRound(kw, 3), phase: get(request, 'phase', 3),
    power_factor: pyRound(powerFactor, 4), reliability_class: get(request, 'reliability_class', 'ordinary'),
    location: { lon: pyRound(location.lon, 7), lat: pyRound(location.lat, 7) },
    area_class: get(request, 'area_class'),
    park_or_electrification: Boolean(get(request, 'park_or_electrification', false)),
    ev_charging: Boolean(get(request, 'ev_charging', false)) || charging,
  };
}

function validLocation(location) {
  if (location === null || typeof location !== 'object' || Array.isArray(location)) return false;
  const { lon, lat } = location;
  return isNumber(lon) && isNumber(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

/** The scheme request a ticket record makes (the server and the app use the same one). */
export function ticketRequest(ticket) {
  return { ...Object.fromEntries(TICKET_FIELDS.map((name) => [name, ticket[name] ?? null])), region: ticket.region,
    policy_year: ticket.policy_year, area_class: null };
}
