"""marshmallow schemas: the only place where request and response shapes are defined."""
