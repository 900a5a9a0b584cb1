"""Every error recoupe raises, in one hierarchy.

    RecoupeError
     ├── InputError            an input cannot be accepted (the batch goes on)
     │    ├── UnreadableInput   missing path, permission, I/O error
     │    ├── EmptyInput        no bytes, or no text left after cleaning
     │    ├── BinaryInput       not text in any encoding we can detect
     │    ├── EncodingError     bytes that are neither UTF-8 nor one legacy encoding
     │    ├── TooLargeInput     over the configured size limit
     │    └── MalformedInput    broken JSON, WARC, feed or HTML
     ├── ConfigError           a bad configuration or pipeline (exit code 2)
     ├── StoreError            the store cannot be opened or written (exit code 3)
     └── StageError            a pipeline stage failed on an article

Library entry points catch ``InputError`` and ``StageError`` per article and
report them as rejections; the CLI maps the others to exit codes.
"""

from __future__ import annotations


class RecoupeError(Exception):
    """Base of all recoupe errors."""

    exit_code = 4


class InputError(RecoupeError):
    """An input that cannot be accepted; ``path`` names it."""

    exit_code = 1

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnreadableInput(InputError):
    pass


class EmptyInput(InputError):
    pass


class BinaryInput(InputError):
    pass


class EncodingError(InputError):
    pass


class TooLargeInput(InputError):
    pass


class MalformedInput(InputError):
    pass


class ConfigError(RecoupeError):
    exit_code = 2


class StoreError(RecoupeError):
    exit_code = 3


class StageError(RecoupeError):
    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"stage {stage!r} failed: {reason}")
        self.stage = stage
        self.reason = reason
