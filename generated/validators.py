# GENERATED FILE, DO NOT EDIT.
# Source: schema/ (the method tables of revisions/*.json, jsonrpc.json's replies, errors.json's catalogue).
# Command: `make generate` (tools/generate_validators.py). CI regenerates it and fails on any difference.
"""Validators compiled from schema/, standard library only: each `check(value, at, out)` appends one
(JSON pointer, message, rule) per violation to `out` and returns nothing; valid input appends nothing."""

from __future__ import annotations

import re
from enum import Enum, IntEnum
from typing import Any, Callable

Found = list[tuple[str, str, str]]
"""(JSON pointer, message, rule) of each violation found."""
Check = Callable[[Any, str, Found], None]


def _key(name: str) -> str:
    return "/" + name.replace("~", "~0").replace("/", "~1")


_SMALL_INT = 1 << 60
"""Integers below this in size hash to themselves: a set of them stays linear, whichever an adversary picks."""
_ARRAY, _OBJECT, _END = ("[",), ("{",), ("]",)
"""Tokens around an array's or an object's members in _json_key."""


def _scalar_key(value: Any) -> object:
    """_json_key of a value that is not an array or an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return (value,)
    if isinstance(value, float):
        if not value.is_integer():
            return ("n", repr(value))
        value = int(value)
    if isinstance(value, int):
        return ("n", value if -_SMALL_INT < value < _SMALL_INT else hex(value))
    return ("?", id(value))  # not JSON (a handler's result before it is refused): equal to nothing else


def _json_key(value: Any) -> object:
    """A hashable key, equal for values JSON calls equal: 1 and 1.0 alike, true apart from 1, objects whatever the
    order of their members. Large integers and fractions are keyed by their text, whose hash is salted: their own
    hashes can be made to collide (hash(n) is n modulo 2**61 - 1), which would make a set of them quadratic.
    Arrays and objects are walked without recursion, so no nesting the parser accepted can overflow the stack."""
    if not isinstance(value, (list, dict)):
        return _scalar_key(value)
    tokens: list[object] = []
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            tokens.append(_ARRAY)
            pending.append(_END)
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            tokens.append(_OBJECT)
            pending.append(_END)
            for name in sorted(item, key=str, reverse=True):
                pending += (item[name], name)
        else:
            tokens.append(_END if item is _END else _scalar_key(item))
    return tuple(tokens)


def _unique(items: list[Any]) -> bool:
    """Whether no two items are equal as JSON values (uniqueItems), in linear time: one set of their keys (of the items
    themselves when they are all strings, or all integers small enough to hash to themselves)."""
    kinds = set(map(type, items))
    if kinds == {str} or (kinds == {int} and -_SMALL_INT < min(items) and max(items) < _SMALL_INT):
        return len(set(items)) == len(items)
    return len(set(map(_json_key, items))) == len(items)


_MISSING = object()
_C0: frozenset[Any] = frozenset({'tvm_version'})
_C1: re.Pattern[str] = re.compile('[a-z0-9][a-z0-9_-]*')
_C2: frozenset[Any] = frozenset({'is_template', 'model_library_format_path', 'platform_name', 'project_options', 'protocol_version'})
_C3: re.Pattern[str] = re.compile('[A-Za-z_][A-Za-z0-9_]*')
_C4: frozenset[Any] = frozenset({'model_library_format_path', 'options', 'project_dir', 'standalone_crt_dir'})
_C5: frozenset[Any] = frozenset({'options'})
_C6: frozenset[Any] = frozenset({'timeouts'})
_C7: frozenset[Any] = frozenset()
_C8: frozenset[Any] = frozenset({'n', 'timeout_sec'})
_C9: frozenset[Any] = frozenset({'data'})
_C10: frozenset[Any] = frozenset({'data', 'timeout_sec'})
_C11: frozenset[Any] = frozenset({'protocol_versions', 'tvm_version'})
_C12: frozenset[Any] = frozenset({'build', 'close_transport', 'flash', 'generate_project', 'open_transport', 'read_transport', 'server_info_query', 'write_transport'})
_C13: frozenset[Any] = frozenset({'is_template', 'model_library_format_path', 'platform_name', 'project_options', 'protocol_version', 'supported_methods'})
_C14: frozenset[Any] = frozenset({'id', 'jsonrpc', 'result'})
_C15: frozenset[Any] = frozenset({'error', 'id', 'jsonrpc'})
_C16: frozenset[Any] = frozenset({'code', 'data', 'message'})
_C17: frozenset[Any] = frozenset({'bool', 'float', 'int', 'str'})
_C18: frozenset[Any] = frozenset({'build', 'flash', 'generate_project', 'open_transport'})
_C19: frozenset[Any] = frozenset({'choices', 'default', 'help', 'name', 'optional', 'required', 'type'})
_C20: frozenset[Any] = frozenset({'session_established_timeout_sec', 'session_start_retry_timeout_sec', 'session_start_timeout_sec'})


class ErrorCode(IntEnum):
    """ErrorCode: errors.json#/$defs/ErrorCode."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    SERVER_ERROR = -32000


class ServerErrorName(str, Enum):
    """ServerErrorName: errors.json#/$defs/ServerErrorName."""

    IO_TIMEOUT = 'IoTimeoutError'
    TRANSPORT_CLOSED = 'TransportClosedError'
    UNSUPPORTED_TVM_VERSION = 'UnsupportedTVMVersionError'
    METHOD_NOT_SUPPORTED = 'MethodNotSupportedError'


def check_ServerInfoQueryParamsV1(value: Any, at: str, out: Found) -> None:
    """ServerInfoQueryParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ServerInfoQueryParamsV1', 'model_type'))
    else:
        member0 = value.get('tvm_version', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/tvm_version', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/tvm_version', 'Input should be a valid string', 'string_type'))
        if not _C0.issuperset(value):
            for key0 in value:
                if key0 not in _C0:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ServerInfoV1(value: Any, at: str, out: Found) -> None:
    """ServerInfoV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ServerInfoV1', 'model_type'))
    else:
        member0 = value.get('protocol_version', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/protocol_version', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool)) and member0 == 1):
                out.append((at + '/protocol_version', 'Input should be 1', 'literal_error'))
        member0 = value.get('platform_name', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/platform_name', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/platform_name', 'Input should be a valid string', 'string_type'))
            else:
                if not _C1.fullmatch(member0):
                    out.append((at + '/platform_name', "String should match pattern '^[a-z0-9][a-z0-9_-]*$'", 'string_pattern_mismatch'))
        member0 = value.get('is_template', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/is_template', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, bool)):
                out.append((at + '/is_template', 'Input should be a valid boolean', 'bool_type'))
        member0 = value.get('model_library_format_path', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/model_library_format_path', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, str)):
                    out.append((at + '/model_library_format_path', 'Input should be a valid string', 'string_type'))
        member0 = value.get('project_options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/project_options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, list)):
                out.append((at + '/project_options', 'Input should be a valid list', 'list_type'))
            else:
                for index1, item1 in enumerate(member0):
                    check_ProjectOptionV1(item1, at + '/project_options' + "/" + str(index1), out)
        if not _C2.issuperset(value):
            for key0 in value:
                if key0 not in _C2:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_GenerateProjectParamsV1(value: Any, at: str, out: Found) -> None:
    """GenerateProjectParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of GenerateProjectParamsV1', 'model_type'))
    else:
        member0 = value.get('model_library_format_path', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/model_library_format_path', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/model_library_format_path', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/model_library_format_path', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('standalone_crt_dir', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/standalone_crt_dir', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/standalone_crt_dir', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/standalone_crt_dir', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('project_dir', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/project_dir', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/project_dir', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/project_dir', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if value1 is not None:
                        if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                            out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C4.issuperset(value):
            for key0 in value:
                if key0 not in _C4:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_GenerateProjectResult(value: Any, at: str, out: Found) -> None:
    """GenerateProjectResult."""
    if not (value is None):
        out.append((at, 'Input should be None', 'none_required'))


def check_BuildParamsV1(value: Any, at: str, out: Found) -> None:
    """BuildParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of BuildParamsV1', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if value1 is not None:
                        if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                            out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_BuildResult(value: Any, at: str, out: Found) -> None:
    """BuildResult."""
    if not (value is None):
        out.append((at, 'Input should be None', 'none_required'))


def check_FlashParamsV1(value: Any, at: str, out: Found) -> None:
    """FlashParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of FlashParamsV1', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if value1 is not None:
                        if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                            out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_FlashResult(value: Any, at: str, out: Found) -> None:
    """FlashResult."""
    if not (value is None):
        out.append((at, 'Input should be None', 'none_required'))


def check_OpenTransportParamsV1(value: Any, at: str, out: Found) -> None:
    """OpenTransportParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of OpenTransportParamsV1', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if value1 is not None:
                        if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                            out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_OpenTransportResult(value: Any, at: str, out: Found) -> None:
    """OpenTransportResult."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of OpenTransportResult', 'model_type'))
    else:
        member0 = value.get('timeouts', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/timeouts', 'Field required', 'missing'))
        else:
            check_TransportTimeouts(member0, at + '/timeouts', out)
        if not _C6.issuperset(value):
            for key0 in value:
                if key0 not in _C6:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_CloseTransportParams(value: Any, at: str, out: Found) -> None:
    """CloseTransportParams."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of CloseTransportParams', 'model_type'))
    else:
        if not _C7.issuperset(value):
            for key0 in value:
                if key0 not in _C7:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_CloseTransportResult(value: Any, at: str, out: Found) -> None:
    """CloseTransportResult."""
    if not (value is None):
        out.append((at, 'Input should be None', 'none_required'))


def check_ReadTransportParams(value: Any, at: str, out: Found) -> None:
    """ReadTransportParams."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ReadTransportParams', 'model_type'))
    else:
        member0 = value.get('n', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/n', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, int) and not isinstance(member0, bool))):
                out.append((at + '/n', 'Input should be a valid integer', 'int_type'))
            else:
                if member0 < 1:
                    out.append((at + '/n', 'Input should be greater than or equal to 1', 'greater_than_equal'))
        member0 = value.get('timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/timeout_sec', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                    out.append((at + '/timeout_sec', 'Input should be a valid number', 'float_type'))
                else:
                    if member0 < 0:
                        out.append((at + '/timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        if not _C8.issuperset(value):
            for key0 in value:
                if key0 not in _C8:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ReadTransportResultV1(value: Any, at: str, out: Found) -> None:
    """ReadTransportResultV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ReadTransportResultV1', 'model_type'))
    else:
        member0 = value.get('data', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/data', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/data', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 2:
                    out.append((at + '/data', 'String should have at least 2 characters', 'string_too_short'))
        if not _C9.issuperset(value):
            for key0 in value:
                if key0 not in _C9:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_WriteTransportParamsV1(value: Any, at: str, out: Found) -> None:
    """WriteTransportParamsV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of WriteTransportParamsV1', 'model_type'))
    else:
        member0 = value.get('data', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/data', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/data', 'Input should be a valid string', 'string_type'))
        member0 = value.get('timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/timeout_sec', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                    out.append((at + '/timeout_sec', 'Input should be a valid number', 'float_type'))
                else:
                    if member0 < 0:
                        out.append((at + '/timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        if not _C10.issuperset(value):
            for key0 in value:
                if key0 not in _C10:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_WriteTransportResult(value: Any, at: str, out: Found) -> None:
    """WriteTransportResult."""
    if not (value is None):
        out.append((at, 'Input should be None', 'none_required'))


def check_ServerInfoQueryParamsV2(value: Any, at: str, out: Found) -> None:
    """ServerInfoQueryParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ServerInfoQueryParamsV2', 'model_type'))
    else:
        member0 = value.get('tvm_version', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/tvm_version', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/tvm_version', 'Input should be a valid string', 'string_type'))
        member0 = value.get('protocol_versions', _MISSING)
        if member0 is not _MISSING:
            if not (isinstance(member0, list)):
                out.append((at + '/protocol_versions', 'Input should be a valid list', 'list_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/protocol_versions', f'List should have at least 1 item after validation, not {len(member0)}', 'too_short'))
                if not _unique(member0):
                    out.append((at + '/protocol_versions', 'List items should be unique', 'uniqueItems'))
                for index1, item1 in enumerate(member0):
                    if not ((isinstance(item1, int) and not isinstance(item1, bool))):
                        out.append((at + '/protocol_versions' + "/" + str(index1), 'Input should be a valid integer', 'int_type'))
                    else:
                        if item1 < 1:
                            out.append((at + '/protocol_versions' + "/" + str(index1), 'Input should be greater than or equal to 1', 'greater_than_equal'))
        if not _C11.issuperset(value):
            for key0 in value:
                if key0 not in _C11:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ServerInfoV2(value: Any, at: str, out: Found) -> None:
    """ServerInfoV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ServerInfoV2', 'model_type'))
    else:
        member0 = value.get('protocol_version', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/protocol_version', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool)) and member0 == 2):
                out.append((at + '/protocol_version', 'Input should be 2', 'literal_error'))
        member0 = value.get('platform_name', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/platform_name', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/platform_name', 'Input should be a valid string', 'string_type'))
            else:
                if not _C1.fullmatch(member0):
                    out.append((at + '/platform_name', "String should match pattern '^[a-z0-9][a-z0-9_-]*$'", 'string_pattern_mismatch'))
        member0 = value.get('is_template', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/is_template', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, bool)):
                out.append((at + '/is_template', 'Input should be a valid boolean', 'bool_type'))
        member0 = value.get('model_library_format_path', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/model_library_format_path', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, str)):
                    out.append((at + '/model_library_format_path', 'Input should be a valid string', 'string_type'))
        member0 = value.get('project_options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/project_options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, list)):
                out.append((at + '/project_options', 'Input should be a valid list', 'list_type'))
            else:
                for index1, item1 in enumerate(member0):
                    check_ProjectOptionV2(item1, at + '/project_options' + "/" + str(index1), out)
        member0 = value.get('supported_methods', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/supported_methods', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, list)):
                out.append((at + '/supported_methods', 'Input should be a valid list', 'list_type'))
            else:
                if not _unique(member0):
                    out.append((at + '/supported_methods', 'List items should be unique', 'uniqueItems'))
                for index1, item1 in enumerate(member0):
                    if not (isinstance(item1, str) and item1 in _C12):
                        out.append((at + '/supported_methods' + "/" + str(index1), "Input should be 'server_info_query', 'generate_project', 'build', 'flash', 'open_transport', 'close_transport', 'read_transport' or 'write_transport'", 'enum'))
        if not _C13.issuperset(value):
            for key0 in value:
                if key0 not in _C13:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_GenerateProjectParamsV2(value: Any, at: str, out: Found) -> None:
    """GenerateProjectParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of GenerateProjectParamsV2', 'model_type'))
    else:
        member0 = value.get('model_library_format_path', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/model_library_format_path', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/model_library_format_path', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/model_library_format_path', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('standalone_crt_dir', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/standalone_crt_dir', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/standalone_crt_dir', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/standalone_crt_dir', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('project_dir', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/project_dir', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/project_dir', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 1:
                    out.append((at + '/project_dir', 'String should have at least 1 character', 'string_too_short'))
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                        out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C4.issuperset(value):
            for key0 in value:
                if key0 not in _C4:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_BuildParamsV2(value: Any, at: str, out: Found) -> None:
    """BuildParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of BuildParamsV2', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                        out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_FlashParamsV2(value: Any, at: str, out: Found) -> None:
    """FlashParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of FlashParamsV2', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                        out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_OpenTransportParamsV2(value: Any, at: str, out: Found) -> None:
    """OpenTransportParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of OpenTransportParamsV2', 'model_type'))
    else:
        member0 = value.get('options', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/options', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, dict)):
                out.append((at + '/options', 'Input should be a valid dictionary', 'dict_type'))
            else:
                for key1, value1 in member0.items():
                    if not _C3.fullmatch(key1):
                        out.append((at + '/options' + _key(key1), "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
                    if not (isinstance(value1, bool) or isinstance(value1, str) or (isinstance(value1, int) and not isinstance(value1, bool)) or (isinstance(value1, (int, float)) and not isinstance(value1, bool))):
                        out.append((at + '/options' + _key(key1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        if not _C5.issuperset(value):
            for key0 in value:
                if key0 not in _C5:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ReadTransportResultV2(value: Any, at: str, out: Found) -> None:
    """ReadTransportResultV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ReadTransportResultV2', 'model_type'))
    else:
        member0 = value.get('data', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/data', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/data', 'Input should be a valid string', 'string_type'))
            else:
                if len(member0) < 4:
                    out.append((at + '/data', 'String should have at least 4 characters', 'string_too_short'))
        if not _C9.issuperset(value):
            for key0 in value:
                if key0 not in _C9:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_WriteTransportParamsV2(value: Any, at: str, out: Found) -> None:
    """WriteTransportParamsV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of WriteTransportParamsV2', 'model_type'))
    else:
        member0 = value.get('data', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/data', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/data', 'Input should be a valid string', 'string_type'))
        member0 = value.get('timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/timeout_sec', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                    out.append((at + '/timeout_sec', 'Input should be a valid number', 'float_type'))
                else:
                    if member0 < 0:
                        out.append((at + '/timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        if not _C10.issuperset(value):
            for key0 in value:
                if key0 not in _C10:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ResultReply(value: Any, at: str, out: Found) -> None:
    """ResultReply."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ResultReply', 'model_type'))
    else:
        member0 = value.get('jsonrpc', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/jsonrpc', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str) and member0 == '2.0'):
                out.append((at + '/jsonrpc', "Input should be '2.0'", 'literal_error'))
        member0 = value.get('id', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/id', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str) or (isinstance(member0, int) and not isinstance(member0, bool))):
                out.append((at + '/id', 'Input should be a valid string, or input should be a valid integer', 'string_type'))
        member0 = value.get('result', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/result', 'Field required', 'missing'))
        if not _C14.issuperset(value):
            for key0 in value:
                if key0 not in _C14:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ErrorReply(value: Any, at: str, out: Found) -> None:
    """ErrorReply."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ErrorReply', 'model_type'))
    else:
        member0 = value.get('jsonrpc', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/jsonrpc', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str) and member0 == '2.0'):
                out.append((at + '/jsonrpc', "Input should be '2.0'", 'literal_error'))
        member0 = value.get('id', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/id', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, str) or (isinstance(member0, int) and not isinstance(member0, bool))):
                    out.append((at + '/id', 'Input should be a valid string, or input should be a valid integer', 'string_type'))
        member0 = value.get('error', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/error', 'Field required', 'missing'))
        else:
            check_ErrorObject(member0, at + '/error', out)
        if not _C15.issuperset(value):
            for key0 in value:
                if key0 not in _C15:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ErrorObject(value: Any, at: str, out: Found) -> None:
    """ErrorObject."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ErrorObject', 'model_type'))
    else:
        member0 = value.get('code', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/code', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, int) and not isinstance(member0, bool))):
                out.append((at + '/code', 'Input should be a valid integer', 'int_type'))
        member0 = value.get('message', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/message', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/message', 'Input should be a valid string', 'string_type'))
        member0 = value.get('data', _MISSING)
        if member0 is not _MISSING:
            if member0 is not None:
                check_ErrorData(member0, at + '/data', out)
        if not _C16.issuperset(value):
            for key0 in value:
                if key0 not in _C16:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ProjectOptionV1(value: Any, at: str, out: Found) -> None:
    """ProjectOptionV1."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ProjectOptionV1', 'model_type'))
    else:
        member0 = value.get('name', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/name', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/name', 'Input should be a valid string', 'string_type'))
            else:
                if not _C3.fullmatch(member0):
                    out.append((at + '/name', "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
        member0 = value.get('type', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/type', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str) and member0 in _C17):
                out.append((at + '/type', "Input should be 'bool', 'str', 'int' or 'float'", 'enum'))
        member0 = value.get('required', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/required', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/required', 'Input should be a valid list', 'list_type'))
                else:
                    if not _unique(member0):
                        out.append((at + '/required', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, str) and item1 in _C18):
                            out.append((at + '/required' + "/" + str(index1), "Input should be 'generate_project', 'build', 'flash' or 'open_transport'", 'enum'))
        member0 = value.get('optional', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/optional', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/optional', 'Input should be a valid list', 'list_type'))
                else:
                    if not _unique(member0):
                        out.append((at + '/optional', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, str) and item1 in _C18):
                            out.append((at + '/optional' + "/" + str(index1), "Input should be 'generate_project', 'build', 'flash' or 'open_transport'", 'enum'))
        member0 = value.get('default', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/default', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, bool) or isinstance(member0, str) or (isinstance(member0, int) and not isinstance(member0, bool)) or (isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                    out.append((at + '/default', 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        member0 = value.get('choices', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/choices', 'Field required', 'missing'))
        else:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/choices', 'Input should be a valid list', 'list_type'))
                else:
                    if len(member0) < 1:
                        out.append((at + '/choices', f'List should have at least 1 item after validation, not {len(member0)}', 'too_short'))
                    if not _unique(member0):
                        out.append((at + '/choices', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, bool) or isinstance(item1, str) or (isinstance(item1, int) and not isinstance(item1, bool)) or (isinstance(item1, (int, float)) and not isinstance(item1, bool))):
                            out.append((at + '/choices' + "/" + str(index1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        member0 = value.get('help', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/help', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/help', 'Input should be a valid string', 'string_type'))
        if not _C19.issuperset(value):
            for key0 in value:
                if key0 not in _C19:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_TransportTimeouts(value: Any, at: str, out: Found) -> None:
    """TransportTimeouts."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of TransportTimeouts', 'model_type'))
    else:
        member0 = value.get('session_start_retry_timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/session_start_retry_timeout_sec', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                out.append((at + '/session_start_retry_timeout_sec', 'Input should be a valid number', 'float_type'))
            else:
                if member0 < 0:
                    out.append((at + '/session_start_retry_timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        member0 = value.get('session_start_timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/session_start_timeout_sec', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                out.append((at + '/session_start_timeout_sec', 'Input should be a valid number', 'float_type'))
            else:
                if member0 < 0:
                    out.append((at + '/session_start_timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        member0 = value.get('session_established_timeout_sec', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/session_established_timeout_sec', 'Field required', 'missing'))
        else:
            if not ((isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                out.append((at + '/session_established_timeout_sec', 'Input should be a valid number', 'float_type'))
            else:
                if member0 < 0:
                    out.append((at + '/session_established_timeout_sec', 'Input should be greater than or equal to 0', 'greater_than_equal'))
        if not _C20.issuperset(value):
            for key0 in value:
                if key0 not in _C20:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ProjectOptionV2(value: Any, at: str, out: Found) -> None:
    """ProjectOptionV2."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ProjectOptionV2', 'model_type'))
    else:
        member0 = value.get('name', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/name', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/name', 'Input should be a valid string', 'string_type'))
            else:
                if not _C3.fullmatch(member0):
                    out.append((at + '/name', "String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'", 'string_pattern_mismatch'))
        member0 = value.get('type', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/type', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str) and member0 in _C17):
                out.append((at + '/type', "Input should be 'bool', 'str', 'int' or 'float'", 'enum'))
        member0 = value.get('required', _MISSING)
        if member0 is not _MISSING:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/required', 'Input should be a valid list', 'list_type'))
                else:
                    if not _unique(member0):
                        out.append((at + '/required', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, str) and item1 in _C18):
                            out.append((at + '/required' + "/" + str(index1), "Input should be 'generate_project', 'build', 'flash' or 'open_transport'", 'enum'))
        member0 = value.get('optional', _MISSING)
        if member0 is not _MISSING:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/optional', 'Input should be a valid list', 'list_type'))
                else:
                    if not _unique(member0):
                        out.append((at + '/optional', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, str) and item1 in _C18):
                            out.append((at + '/optional' + "/" + str(index1), "Input should be 'generate_project', 'build', 'flash' or 'open_transport'", 'enum'))
        member0 = value.get('default', _MISSING)
        if member0 is not _MISSING:
            if member0 is not None:
                if not (isinstance(member0, bool) or isinstance(member0, str) or (isinstance(member0, int) and not isinstance(member0, bool)) or (isinstance(member0, (int, float)) and not isinstance(member0, bool))):
                    out.append((at + '/default', 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        member0 = value.get('choices', _MISSING)
        if member0 is not _MISSING:
            if member0 is not None:
                if not (isinstance(member0, list)):
                    out.append((at + '/choices', 'Input should be a valid list', 'list_type'))
                else:
                    if len(member0) < 1:
                        out.append((at + '/choices', f'List should have at least 1 item after validation, not {len(member0)}', 'too_short'))
                    if not _unique(member0):
                        out.append((at + '/choices', 'List items should be unique', 'uniqueItems'))
                    for index1, item1 in enumerate(member0):
                        if not (isinstance(item1, bool) or isinstance(item1, str) or (isinstance(item1, int) and not isinstance(item1, bool)) or (isinstance(item1, (int, float)) and not isinstance(item1, bool))):
                            out.append((at + '/choices' + "/" + str(index1), 'Input should be a valid boolean, or input should be a valid string, or input should be a valid integer, or input should be a valid number', 'bool_type'))
        member0 = value.get('help', _MISSING)
        if member0 is _MISSING:
            out.append((at + '/help', 'Field required', 'missing'))
        else:
            if not (isinstance(member0, str)):
                out.append((at + '/help', 'Input should be a valid string', 'string_type'))
        if not _C19.issuperset(value):
            for key0 in value:
                if key0 not in _C19:
                    out.append((at + _key(key0), 'Extra inputs are not permitted', 'extra_forbidden'))


def check_ErrorData(value: Any, at: str, out: Found) -> None:
    """ErrorData."""
    if not (isinstance(value, dict)):
        out.append((at, 'Input should be a valid dictionary or instance of ErrorData', 'model_type'))
    else:
        member0 = value.get('traceback', _MISSING)
        if member0 is not _MISSING:
            if not (isinstance(member0, str)):
                out.append((at + '/traceback', 'Input should be a valid string', 'string_type'))
        member0 = value.get('detail', _MISSING)
        if member0 is not _MISSING:
            if not (isinstance(member0, str)):
                out.append((at + '/detail', 'Input should be a valid string', 'string_type'))


PARAMS: dict[int, dict[str, Check]] = {
    1: {'server_info_query': check_ServerInfoQueryParamsV1, 'generate_project': check_GenerateProjectParamsV1, 'build': check_BuildParamsV1, 'flash': check_FlashParamsV1, 'open_transport': check_OpenTransportParamsV1, 'close_transport': check_CloseTransportParams, 'read_transport': check_ReadTransportParams, 'write_transport': check_WriteTransportParamsV1},
    2: {'server_info_query': check_ServerInfoQueryParamsV2, 'generate_project': check_GenerateProjectParamsV2, 'build': check_BuildParamsV2, 'flash': check_FlashParamsV2, 'open_transport': check_OpenTransportParamsV2, 'close_transport': check_CloseTransportParams, 'read_transport': check_ReadTransportParams, 'write_transport': check_WriteTransportParamsV2},
}


RESULTS: dict[int, dict[str, Check]] = {
    1: {'server_info_query': check_ServerInfoV1, 'generate_project': check_GenerateProjectResult, 'build': check_BuildResult, 'flash': check_FlashResult, 'open_transport': check_OpenTransportResult, 'close_transport': check_CloseTransportResult, 'read_transport': check_ReadTransportResultV1, 'write_transport': check_WriteTransportResult},
    2: {'server_info_query': check_ServerInfoV2, 'generate_project': check_GenerateProjectResult, 'build': check_BuildResult, 'flash': check_FlashResult, 'open_transport': check_OpenTransportResult, 'close_transport': check_CloseTransportResult, 'read_transport': check_ReadTransportResultV2, 'write_transport': check_WriteTransportResult},
}

REPLIES: dict[str, Check] = {'ResultReply': check_ResultReply, 'ErrorReply': check_ErrorReply, 'ErrorObject': check_ErrorObject}
