"""Operating-system errors as one Vietnamese line for the ``dvc766`` user.

A full disk, a folder without write permission, a read-only file system, a missing or
mistyped warehouse folder: these are the user's to fix, and a Python or Dagster traceback
does not tell them how. ``os_problem`` finds such an error in an exception's cause chain
(an ``OSError``, or DuckDB's ``IOException`` naming an OS error) or in the serialised
error of a failed Dagster run; ``problem_line`` says it in one line. A warehouse file
another process is writing (DuckDB's lock) is said in one line too
(``lock_conflict_line``). The traceback stays available with ``dvc766 --debug`` or
``DVC766_DEBUG=1``.
"""

from __future__ import annotations

import builtins
import errno
import os
import re
from dataclasses import dataclass
from typing import Any

DEBUG_ENV = "DVC766_DEBUG"
DAGSTER_CONSOLE_LEVEL_ENV = "DVC766_DAGSTER_CONSOLE_LEVEL"
"""Level of Dagster's console log in the runs ``pipelines.runner`` starts (default
WARNING). The ``dvc766`` command sets CRITICAL, unless ``--debug``, and reports a failed
run's cause itself in one line."""

_PATH_HINT = "kiểm tra đường dẫn (--warehouse, DVC766_WAREHOUSE, DVC766_RAW_STORE, DAGSTER_HOME)"
_RIGHTS_HINT = "kiểm tra quyền ghi của thư mục kho (--warehouse hoặc DVC766_WAREHOUSE)"
_SPACE_HINT = "giải phóng dung lượng rồi chạy lại"
_TEXT: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("hết dung lượng đĩa", _SPACE_HINT),
    errno.EDQUOT: ("vượt hạn mức dung lượng đĩa (quota)", _SPACE_HINT),
    errno.EFBIG: ("tệp vượt kích thước tối đa của hệ thống tệp", _SPACE_HINT),
    errno.EACCES: ("không có quyền truy cập", _RIGHTS_HINT),
    errno.EPERM: ("không được phép thao tác", _RIGHTS_HINT),
    errno.EROFS: ("hệ thống tệp chỉ đọc", _RIGHTS_HINT),
    errno.ENOENT: ("không tìm thấy tệp hay thư mục", _PATH_HINT),
    errno.ENOTDIR: ("một phần của đường dẫn là tệp, không phải thư mục", _PATH_HINT),
    errno.EEXIST: ("không tạo được thư mục: đã có một tệp trùng tên", _PATH_HINT),
    errno.EISDIR: ("đường dẫn là một thư mục, không phải tệp", _PATH_HINT),
    errno.ENAMETOOLONG: ("đường dẫn quá dài", _PATH_HINT),
    errno.EMFILE: ("quá nhiều tệp đang mở", "đóng bớt chương trình rồi chạy lại"),
    errno.ENFILE: ("quá nhiều tệp đang mở trên máy", "đóng bớt chương trình rồi chạy lại"),
    errno.EIO: ("lỗi đọc/ghi của thiết bị lưu trữ", "kiểm tra ổ đĩa rồi chạy lại"),
}
_ERRNO_MESSAGE = re.compile(r"\[Errno (\d+)\] ([^:\n]+)(?:: '([^'\n]*)')?")
_QUOTED_PATH = re.compile(r'"([^"\n]+)"')
_LOCK_CONFLICT = re.compile(r'Could not set lock on file "([^"\n]+)"(?:.*?\(PID (\d+)\))?', re.S)
"""DuckDB's refusal to open a file another process holds for writing."""
_CLASS_PREFIX = re.compile(r"^(?:(?:pipelines|warehouse)\.[\w.]+|dagster\.[\w.]*\bFailure): ")
"""The class name Python puts before a message: ours, and Dagster's ``Failure`` (raised
by our assets with a message for the user)."""


@dataclass(frozen=True)
class OsProblem:
    """An operating-system error: its errno (when known), text and the path concerned."""

    code: int | None
    strerror: str
    filename: str | None = None


def debug_enabled() -> bool:
    """Whether the user asked for tracebacks (``--debug`` or ``DVC766_DEBUG=1``)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes"}


def os_problem(exc: BaseException) -> OsProblem | None:
    """The first OS error in ``exc`` and its causes and contexts, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    pending: list[BaseException] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno is not None:
            return OsProblem(
                current.errno,
                current.strerror or os.strerror(current.errno),
                _text(current.filename),
            )
        found = _duckdb_io_problem(type(current).__name__, str(current))
        if found is not None:
            return found
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        current = pending.pop(0) if pending else None
    return None


def os_problem_in_error_info(info: Any) -> OsProblem | None:
    """The first OS error in a Dagster ``SerializableErrorInfo`` (a failed run's error) and
    its causes and contexts, read from the class names and messages it keeps."""
    pending = [info]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        cls = getattr(builtins, current.cls_name or "", None)
        if isinstance(cls, type) and issubclass(cls, OSError):
            match = _ERRNO_MESSAGE.search(current.message or "")
            if match:
                return OsProblem(int(match.group(1)), match.group(2).strip(), match.group(3))
        found = _duckdb_io_problem(current.cls_name or "", current.message or "")
        if found is not None:
            return found
        pending.extend([current.cause, current.context])
    return None


def failure_line(info: Any) -> str:
    """One line for a failed Dagster run's error (``SerializableErrorInfo``): an OS error
    among its causes in Vietnamese, else the first line of its innermost cause (the
    exception our code raised, not Dagster's wrapper around it)."""
    problem = os_problem_in_error_info(info)
    if problem is not None:
        return problem_line(problem)
    innermost = info
    while innermost.cause is not None:
        innermost = innermost.cause
    lines = (innermost.message or "").strip().splitlines()
    if not lines:
        return innermost.cls_name or "lỗi không rõ"
    return _CLASS_PREFIX.sub("", lines[0])  # our messages are for users already


def user_problem_line(exc: BaseException) -> str | None:
    """One Vietnamese line for an exception the user can act on without a traceback: an
    OS error among its causes (:func:`problem_line`), or the warehouse still busy after
    the longest wait (``pipelines.runner.WarehouseBusy``, whose message says which run
    holds it and what to do). None for anything else."""
    from pipelines.runner import WarehouseBusy

    if isinstance(exc, WarehouseBusy):
        return f"Lỗi: {exc}"
    locked = lock_conflict_line(exc)
    if locked is not None:
        return locked
    problem = os_problem(exc)
    return problem_line(problem) if problem is not None else None


def lock_conflict_line(exc: BaseException) -> str | None:
    """One Vietnamese line when ``exc`` (or its cause) is DuckDB refusing to open a file
    that another process holds open for writing (a run capturing or rebuilding); None
    otherwise."""
    current: BaseException | None = exc
    while current is not None:
        is_io = type(current).__name__ == "IOException"
        found = _LOCK_CONFLICT.search(str(current)) if is_io else None
        if found:
            path, pid = found.groups()
            holder = f" (tiến trình {pid})" if pid else ""
            return (
                f"Lỗi: tệp kho {path} đang được một lần chạy khác ghi{holder}, nên chưa mở để "
                "đọc được. Chờ lần chạy đó xong rồi thử lại, hoặc đọc bản công bố "
                "(bỏ --database). Thêm --debug để xem chi tiết."
            )
        current = current.__cause__ or current.__context__
    return None


def problem_line(problem: OsProblem) -> str:
    """One Vietnamese line saying what went wrong, where, and what to do."""
    what, hint = _TEXT.get(problem.code or -1, (f"lỗi hệ thống tệp ({problem.strerror})", ""))
    where = f": {problem.filename}" if problem.filename else ""
    advice = f" — {hint}" if hint else ""
    return f"Lỗi: {what}{where}{advice}. Thêm --debug để xem chi tiết."


def _duckdb_io_problem(cls_name: str, message: str) -> OsProblem | None:
    """DuckDB reports OS errors as ``IOException`` with the system's text in the message."""
    if cls_name != "IOException":
        return None
    for code in _TEXT:
        text = os.strerror(code)
        if text in message:
            path = _QUOTED_PATH.search(message)
            return OsProblem(code, text, path.group(1) if path else None)
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    return os.fsdecode(value) if isinstance(value, bytes | str | os.PathLike) else str(value)
