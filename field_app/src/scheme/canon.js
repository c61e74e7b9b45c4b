/**
 * Numbers and bytes exactly as the Python builder makes them, so a scheme built on the tablet hashes
 * the same as the server's (scheme_builder/policy.py `canonical_json`):
 * - canonical JSON: sorted keys, no spaces, numbers as JavaScript writes them (the Python side writes
 *   them this way too);
 * - Python's `round(x, n)` and `round(x)`: half-even on the exact binary value, not Math.round;
 * - Python's `f"{x:.nf}"` and `f"{x:g}"` for the texts of works and reasons.
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The exact decimal expansion of |x| split at the point (toFixed is exact for |x| < 1e21). */
function exactDigits(x) {
  const text = Math.abs(x).toFixed(100);
  const [whole, fraction] = text.split('.');
  return { whole, fraction: fraction.replace(/0+$/, '') };
}

/** Python's round(x, n) for n ≥ 0: the decimal nearest to x's exact value, ties to even. */
export function pyRound(x, n = 0) {
  if (!Number.isFinite(x) || x === 0) return x;
  const text = fixedHalfEven(x, n);
  const value = Number(text);
  return value === 0 ? (x < 0 ? -0 : 0) : value;
}

/** Python's f"{x:.{n}f}": the same rounding, as text. */
export function fixedHalfEven(x, n) {
  if (Math.abs(x) >= 1e21) return x.toFixed(n);
  const { whole, fraction } = exactDigits(x);
  const kept = (whole + fraction.padEnd(n, '0').slice(0, n)).split('').map(Number);
  const rest = fraction.slice(n);
  const last = kept.length ? kept[kept.length - 1] : 0;
  const up = rest.length > 0 && (rest[0] > '5' || (rest[0] === '5' && (rest.length > 1 || last % 2 === 1)));
  if (up) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) { kept[i] = 0; i -= 1; }
    if (i < 0) kept.unshift(1); else kept[i] += 1;
  }
  const digits = kept.join('');
  const point = digits.length - n;
  const body = n ? `${digits.slice(0, point) || '0'}.${digits.slice(point)}` : digits;
  const clean = body.replace(/^0+(?=\d)/, '');
  const negative = x < 0 && /[1-9]/.test(clean);
  return (negative ? '-' : '') + clean;
}

/** Python's f"{x:g}": 6 significant digits, trailing zeros dropped, exponent form outside 1e-4 … 1e6. */
export function formatG(x, precision = 6) {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  let exponent = Math.floor(Math.log10(Math.abs(x)));
  let text = fixedHalfEven(x, Math.max(0, precision - 1 - exponent));
  const grown = Math.floor(Math.log10(Math.abs(Number(text))));
  if (grown > exponent) {                       // 999999.5 → 1e+06, or log10's estimate was one low
    exponent = grown;
    text = fixedHalfEven(x, Math.max(0, precision - 1 - exponent));
  }
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, power] = x.toExponential(precision - 1).split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${power[0] === '-' ? '-' : '+'}${power.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Python's order of text (by code point); JavaScript's default sort compares UTF-16 units. */
export function pyCompare(a, b) {
  const x = [...a].map((c) => c.codePointAt(0));
  const y = [...b].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
