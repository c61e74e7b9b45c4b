/** The builder's failures, as scheme_builder/errors.py names them; `errors` maps request fields to reasons. */
export class SchemeError extends Error {
  constructor(message, errors = {}) {
    super(message);
    this.errors = errors;
    this.kind = 'SchemeError';
  }
}

export class InvalidRequest extends SchemeError {
  constructor(message, errors) { super(message, errors); this.kind = 'InvalidRequest'; }
}

export class OutsideGridExtent extends SchemeError {
  constructor(message, errors) { super(message, errors); this.kind = 'OutsideGridExtent'; }
}

export class NoGridData extends SchemeError {
  constructor(message, errors) { super(message, errors); this.kind = 'NoGridData'; }
}

/** A banned fee reached a scheme: a bug, never the request's fault. */
export class BannedFeeInScheme extends Error {
  constructor(message) { super(message); this.kind = 'BannedFeeInScheme'; }
}
