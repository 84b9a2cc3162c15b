"""The public API: every advertised name resolves, and importing toolkit stays cheap."""

from __future__ import annotations

import subprocess
import sys

import toolkit


def test_all_names_resolve_and_match_the_lazy_table():
    errors = {"LoadError", "ParameterError", "ReportError", "SchemaError", "ToolkitError", "TopicsError"}
    assert set(toolkit.__all__) == set(toolkit._EXPORTS) | errors
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name


def test_import_does_not_pull_in_heavy_modules():
    code = "import sys, toolkit; print(sorted(m for m in ('nltk', 'papermill', 'nbconvert', 'plotly') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_attribute_is_an_attribute_error():
    try:
        toolkit.no_such_function  # noqa: B018
    except AttributeError as exc:
        assert "no_such_function" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
