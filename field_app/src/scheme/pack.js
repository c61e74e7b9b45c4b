/**
 * The policy pack as pulled (scheme_builder/pack.py `dump_pack`) with the engineering tables it is used
 * with: the same questions the Python model answers (number, sourced, lv limit, zone, pipeline).
 */
import { InvalidRequest } from './errors.js';

export class Pack {
  constructor(dumped, engineering, version) {
    Object.assign(this, dumped);
    this.version = version;
    this.engineering = { ...engineering, ...(dumped.engineering_overrides || {}) };
  }

  business(type) {
    const found = this.ownBusiness(type);
    if (!found) {
      throw new InvalidRequest(`${this.id} offers no business type ${pyRepr(type)}`,
        { business_type: [`one of ${Object.keys(this.business_types).sort().join(', ')}`] });
    }
    return found;
  }

  /** The room a request is checked against and its signature reserves (scheme_builder/pack.py `room`). */
  room(type) {
    return this.ownBusiness(type)?.nature === 'generation' ? 'generation' : 'load';
  }

  /** The pack's business type named `type`, or null (never what every object inherits, like "constructor"). */
  ownBusiness(type) {
    return typeof type === 'string' && Object.hasOwn(this.business_types, type) ? this.business_types[type] : null;
  }

  pipelineFor(type, customerClass, reliabilityClass) {
    const matches = (track) => (track.customer_class === null || track.customer_class.includes(customerClass))
      && (track.reliability_class === null || track.reliability_class.includes(reliabilityClass));
    const track = this.business(type).tracks.find(matches);
    if (!track) {
      throw new InvalidRequest(`${this.id}: no track of ${type} fits ${customerClass}/${reliabilityClass}`,
        { customer_class: ['no track of the business type fits'] });
    }
    return track.pipeline;
  }

  pipeline(type, customerClass, reliabilityClass) {
    return this.pipelines[this.pipelineFor(type, customerClass, reliabilityClass)];
  }

  zone(name) {
    if ((name === null || name === undefined) && this.zone_required) {
      throw new InvalidRequest(`${this.id}: the zone decides the rules here; give one`,
        { zone: [`required: one of ${this.zones.map((z) => z.zone).join(', ')}`] });
    }
    if (name === null || name === undefined) return this.zones[0];
    const found = this.zones.find((z) => z.zone === name);
    if (!found) throw new InvalidRequest(`${this.id} has no zone ${pyRepr(name)}`, { zone: [`one of ${this.zones.map((z) => z.zone).join(', ')}`] });
    return found;
  }

  sourced(...path) {
    return path.reduce((node, key) => node[key], this.scheme);
  }

  lvLimit(customerClass) {
    const classes = this.scheme.lv_limit_customer_classes;
    if (classes === null || classes === undefined || classes.includes(customerClass)) return this.scheme.lv_limit_kw;
    const general = this.engineering.lv_limit_general_kw;
    return { value: general.value, source: general.source, assumed: false };
  }

  /** [value, source] of a sourced number: a scheme rule of the pack, else an engineering table's. */
  number(...path) {
    if (path[0] in this.scheme) {
      const node = this.sourced(...path);
      return [node.value, node.source];
    }
    const node = path.reduce((n, key) => n[key], this.engineering);
    return [node.value, node.source];
  }

  bannedFees() {
    return this.scheme.banned_fees.map((fee) => fee.name);
  }
}

/** (answered on site?, [rule name, sourced]) — scheme_builder/pack.py `Zone.onsite_rule`. */
export function onsiteRule(zone, voltageKv, capacityKva) {
  if (zone.onsite_reply_max_kv && voltageKv <= zone.onsite_reply_max_kv.value) return [true, ['onsite_reply_max_kv', zone.onsite_reply_max_kv]];
  if (zone.onsite_reply_limit_kva) return [capacityKva <= zone.onsite_reply_limit_kva.value, ['onsite_reply_limit_kva', zone.onsite_reply_limit_kva]];
  return [false, ['onsite_reply_max_kv', zone.onsite_reply_max_kv]];
}

/** Python's repr of a str, for messages that quote a value ('x'). */
export function pyRepr(value) {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
