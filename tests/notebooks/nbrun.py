"""A minimal notebook executor for the test suite (no Jupyter packages needed).

It reads an ``.ipynb`` file (nbformat 4 JSON) with :mod:`json` and ``exec``\\ s its code
cells in order in one namespace, as "Run all" would, without a kernel. Each cell is
compiled with the file name ``<notebook path>[cell <index>]`` so a traceback names the
cell. Markdown cells are skipped; outputs are neither produced nor stored.

It is NOT IPython: every cell is compiled before any runs, and a cell with magics
(``%...``, ``%%...``) or shell escapes (``!...``) is refused with :class:`NotebookError`
saying so, so the notebooks must be plain Python.
While the notebook runs, Plotly's ``Figure.show`` is a no-op (no browser, no IPython
display) and ``display`` is a no-op too; a cell's last expression is evaluated and
dropped, so a chart cell may end with ``fig`` or ``fig.show()``.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from pathlib import Path
from typing import Any

# A line starting like an IPython magic (%name, %%name) or a shell escape (!cmd); only
# looked for in a cell that is not valid Python.
_MAGIC = re.compile(r"^\s*(%%?[A-Za-z]|![^=])")


class NotebookError(AssertionError):
    """A notebook could not be run: its cell index and source are in the message."""

    def __init__(self, path: Path, index: int, source: str, reason: str) -> None:
        self.path = path
        self.index = index
        self.source = source
        super().__init__(f"{path} cell {index}: {reason}\n--- cell source ---\n{source}")


def code_cells(path: str | os.PathLike[str]) -> list[tuple[int, str]]:
    """The code cells of the notebook at ``path``: (index among all cells, source)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    if notebook.get("nbformat") != 4:
        raise ValueError(f"{path}: not an nbformat 4 notebook")
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        cells.append((index, "".join(source) if isinstance(source, list) else source))
    return cells


def run_notebook(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Run every code cell of ``path`` in one fresh namespace and return the namespace;
    raise :class:`NotebookError` naming the first cell that uses a magic or fails."""
    path = Path(path)
    compiled = []
    for index, source in code_cells(path):
        try:
            code = compile(source, f"{path}[cell {index}]", "exec")
        except SyntaxError as error:
            magic = next((line for line in source.splitlines() if _MAGIC.match(line)), None)
            reason = (
                f"IPython magic or shell escape {magic.strip()!r} is not supported "
                "(nbrun is a minimal executor: write plain Python)"
                if magic is not None
                else f"SyntaxError: {error}"
            )
            raise NotebookError(path, index, source, reason) from error
        compiled.append((index, source, code))
    from plotly.basedatatypes import BaseFigure

    previous_show = BaseFigure.show
    BaseFigure.show = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": str(path),
        "display": lambda *args, **kwargs: None,
    }
    try:
        for index, source, code in compiled:
            try:
                exec(code, namespace)  # running the notebook is the point
            except Exception as error:
                raise NotebookError(
                    path,
                    index,
                    source,
                    f"{type(error).__name__}: {error}\n" + traceback.format_exc(),
                ) from error
    finally:
        BaseFigure.show = previous_show  # type: ignore[method-assign]
    return namespace
