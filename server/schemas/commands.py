"""The ``args`` each ticket command takes (a command not listed takes none)."""
from marshmallow import Schema

from server.schemas.schemes import (ChooseArgsSchema, CosignArgsSchema, ManualSchemeArgsSchema, ProposeArgsSchema,
                                    SignArgsSchema)
from server.schemas.tickets import CancelArgsSchema, NoArgsSchema

COMMAND_ARGS = {
    "cancel": CancelArgsSchema(),
    "propose_scheme": ProposeArgsSchema(),
    "choose_option": ChooseArgsSchema(),
    "cosign": CosignArgsSchema(),
    "sign_scheme": SignArgsSchema(),
    "write_manual_scheme": ManualSchemeArgsSchema(),
}
NO_ARGS = NoArgsSchema()


def command_args_schema(name) -> Schema:
    return COMMAND_ARGS.get(name, NO_ARGS)
