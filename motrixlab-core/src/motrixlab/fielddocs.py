"""What each field of a config dataclass means, read from its source: the comment on the field's line
(``speed: float = 1.0  # m/s, forward``), else ``#:`` comment lines right above it, else a string
literal right below it (an attribute docstring). ``motrixlab info`` shows them beside each field.

A config is documented where it is declared, once; nothing has to be kept in step by hand.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import io
import textwrap
import tokenize
from typing import Any


def field_docs(cls: type) -> dict[str, str]:
    """Field name -> description, for ``cls`` and its dataclass bases (a subclass's own wins)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if dataclasses.is_dataclass(klass):
            docs.update(_own_docs(klass))
    return docs


@functools.lru_cache(maxsize=256)
def _own_docs(cls: type) -> dict[str, str]:
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # defined in a REPL or built at run time: no source to read
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    comments = _comments(source)
    lines = source.splitlines()
    docs: dict[str, str] = {}
    for i, node in enumerate(body):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        name = node.target.id
        text = comments.get(node.end_lineno or node.lineno, "")
        if not text:
            above = []
            row = node.lineno - 1
            while row >= 1 and lines[row - 1].strip().startswith("#:"):
                above.insert(0, lines[row - 1].strip()[2:].strip())
                row -= 1
            text = " ".join(above)
        if not text and i + 1 < len(body):
            nxt = body[i + 1]
            if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
                text = " ".join(nxt.value.value.split())
        if text:
            docs[name] = text
    return docs


def _comments(source: str) -> dict[int, str]:
    """Line number -> the text of a comment that ends a line of code (not a ``#:`` or lone comment line)."""
    out: dict[int, str] = {}
    code_lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                if tok.start[0] in code_lines and not tok.string.startswith("#:"):
                    out[tok.start[0]] = tok.string.lstrip("#").strip()
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                code_lines.add(tok.start[0])
    except (tokenize.TokenError, IndentationError):
        return {}
    return out


def describe(cfg: Any) -> dict[str, str]:
    """Dotted field path -> description, over ``cfg`` and its nested config dataclasses."""
    out: dict[str, str] = {}
    _walk(cfg, "", out)
    return out


def _walk(cfg: Any, prefix: str, out: dict[str, str]) -> None:
    docs = field_docs(type(cfg))
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            _walk(value, f"{prefix}{f.name}.", out)
        elif f.name in docs:
            out[prefix + f.name] = docs[f.name]
