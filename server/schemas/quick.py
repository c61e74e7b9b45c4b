"""A marshmallow schema's ``load``, quick for the input it accepts: the sync hot path's validator.

A push of a hundred ``ticket.create`` ops spent half its time in marshmallow's generic machinery
(error stores, getters, hooks looked up per field). ``quick(schema)`` walks the same schema's own
field declarations with a plain loop: a value of exactly the type a String, Integer, Float or
Boolean field takes is checked by that field's own validators; every other field is loaded by its
own ``deserialize``. The first doubt — a missing required field, an unknown key, a value of another
type, a failing validator — hands the whole input to ``schema.load``, which answers with exactly the
result or the errors it always gives. So marshmallow stays the one definition of what is valid; a
test holds ``quick(schema)(x) == schema.load(x)`` on generated inputs.
"""
import math
from typing import Callable

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields
from marshmallow.decorators import VALIDATES_SCHEMA
from marshmallow.utils import missing


class Doubt(Exception):
    """The quick walk leaves this input to ``schema.load``."""


def _string(value):
    if type(value) is not str:
        raise Doubt
    return value


def _integer(value):
    if type(value) is not int:
        raise Doubt
    return value


def _float(value):
    if type(value) not in (int, float) or not math.isfinite(value):
        raise Doubt
    return float(value)


def _boolean(value):
    if type(value) is not bool:
        raise Doubt
    return value


def _raw(value):
    return value


def _plain_dict(value):
    if type(value) is not dict:
        raise Doubt
    return dict(value)


def _string_keyed_dict(value):
    if type(value) is not dict or any(type(key) is not str for key in value):
        raise Doubt
    return dict(value)


SCALARS = {fields.String: _string, fields.Integer: _integer, fields.Float: _float, fields.Boolean: _boolean,
           fields.Raw: _raw}


def converter(field: fields.Field):
    """The quick conversion of a present, non-None value for ``field``; None: use its ``deserialize``."""
    kind = type(field)
    if field.pre_load or field.post_load or getattr(field, "as_string", False):
        return None
    if kind is fields.Boolean and (field.truthy, field.falsy) != (fields.Boolean.truthy, fields.Boolean.falsy):
        return None
    if kind in SCALARS:
        return SCALARS[kind]
    if kind is fields.Dict and field.value_field is None and field.mapping_type is dict:
        if field.key_field is None:
            return _plain_dict
        if type(field.key_field) is fields.String and not field.key_field.validators:
            return _string_keyed_dict
    if kind is fields.Nested and not field.many and field.unknown is None:
        return walker(field.schema)
    if kind is fields.List:
        item, item_allows_none = value_loader(field.inner), field.inner.allow_none
        return lambda value: [None if v is None and item_allows_none else item(v, None, None) for v in list_of(value)]
    return None


def value_loader(field: fields.Field) -> Callable:
    """``load(value, name, data)`` of one present, non-None value, raising ``Doubt`` or ValidationError."""
    convert = converter(field)
    return field.deserialize if convert is None else checked(convert, field.validators)


def list_of(value) -> list:
    if type(value) is not list:
        raise Doubt
    return value


def checked(convert: Callable, validators) -> Callable:
    def load(value, name, data):
        output = convert(value)
        for validator in validators:
            if validator(output) is False:
                raise Doubt
        return output
    return load


def walker(schema: Schema) -> Callable:
    """``walk(data)``: the schema's load of ``data`` without its error machinery, or ``Doubt``."""
    hooks = [hook for tag, tagged in schema._hooks.items() if tag != VALIDATES_SCHEMA for hook in tagged]
    if hooks or schema.many or any("." in (f.attribute or "") for f in schema.load_fields.values()):
        return lambda data: schema.load(data)
    plan = [(field.data_key or name, field.attribute or name, field, value_loader(field))
            for name, field in schema.load_fields.items()]
    known = {key for key, *_ in plan}
    schema_hooks = schema._hooks.get(VALIDATES_SCHEMA, [])
    validators = [getattr(schema, name) for name, _many, options in schema_hooks if not options.get("pass_original")]
    if len(validators) != len(schema_hooks):
        return lambda data: schema.load(data)

    def walk(data):
        if type(data) is not dict:
            raise Doubt
        out = schema.dict_class()
        for key, attribute, field, load in plan:
            value = data.get(key, missing)
            if value is missing:
                if field.required:
                    raise Doubt
                default = field.load_default
                if default is not missing:
                    out[attribute] = default() if callable(default) else default
            elif value is None:
                if not field.allow_none:
                    raise Doubt
                out[attribute] = None
            else:
                out[attribute] = load(value, key, data)
        if schema.unknown != EXCLUDE and not known.issuperset(data):
            if schema.unknown != INCLUDE:
                raise Doubt
            out.update({key: value for key, value in data.items() if key not in known})
        for validate in validators:
            validate(out, partial=None, many=False, unknown=schema.unknown)
        return out
    return walk


def quick(schema: Schema) -> Callable:
    """``load(data)``: equal to ``schema.load(data)``, result or ValidationError, and quick when valid."""
    walk = walker(schema)

    def load(data):
        try:
            return walk(data)
        except (Doubt, ValidationError):
            return schema.load(data)
    return load
