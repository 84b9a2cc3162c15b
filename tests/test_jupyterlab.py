"""The notebooks open and run in a real JupyterLab server, and their figures carry the mime type
JupyterLab renders.

The test starts ``jupyter lab`` (no browser) on a free localhost port with a random token and
private Jupyter config/data/runtime folders, then does what JupyterLab's front end does: reads
each notebook through the contents API, starts a kernel session for it through the sessions API
(the kernel runs in the notebook's folder, like in Lab), and executes the code cells one by one
over the kernel's websocket. The only change to a notebook is the one papermill makes: a cell
after the parameters cell setting the notebook's own path parameters to the demo corpus. The
notebooks run at the same time, one kernel each, so the whole check takes about as long as the
slowest notebook. Nothing in the repository is written (the contents API is only read).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from toolkit.report import list_reports, notebook_parameters

pytestmark = pytest.mark.notebook

websocket = pytest.importorskip(
    "websocket", reason="websocket-client (a jupyter_server dependency)"
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
TOPICS = REPO / "data" / "topics" / "example.yaml"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
NOTEBOOKS = [info.path for info in list_reports()]
CELL_TIMEOUT = 240  # seconds one cell may take (kernels share two cores)

# Variables that would make plotly choose a renderer other than JupyterLab's default.
RENDERER_ENV = ("PLOTLY_RENDERER", "VSCODE_PID", "COLAB_NOTEBOOK_ID", "NTERACT_EXE")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    def __init__(self, port: int, token: str):
        self.base = f"http://127.0.0.1:{port}"
        self.ws_base = f"ws://127.0.0.1:{port}"
        self.token = token

    def request(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        kind = response.headers.get("Content-Type", "")
        return status, json.loads(raw) if "json" in kind else raw.decode(errors="replace")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    port, token = _free_port(), uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k not in RENDERER_ENV}
    # Private config, data and runtime folders: no user kernelspec or server config leaks in.
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    client = Lab(port, token)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if client.request("GET", "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"jupyter lab did not start: {(home / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.3)
        yield client
    finally:
        # The REST shutdown stops the kernels too (SIGINT would ask for a confirmation).
        try:
            client.request("POST", "/api/shutdown")
        except OSError:
            pass
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def _message(code: str, session: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "username": "test",
            "session": session,
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "channel": "shell",
        "buffers": [],
    }


def _execute(ws, code: str, session: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run one cell; return the execute_reply content and the iopub outputs."""
    request = _message(code, session)
    msg_id = request["header"]["msg_id"]
    ws.send(json.dumps(request))
    reply, outputs, idle = None, [], False
    deadline = time.monotonic() + CELL_TIMEOUT
    while reply is None or not idle:
        ws.settimeout(max(1.0, deadline - time.monotonic()))
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        if message.get("channel") == "shell" and kind == "execute_reply":
            reply = message["content"]
        elif kind in ("display_data", "execute_result", "error", "stream"):
            outputs.append({"output_type": kind, **message["content"]})
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return reply, outputs


def _overrides(path: Path) -> str:
    declared = notebook_parameters(path)
    values = {"corpus": str(SAMPLE), "topics": str(TOPICS)}
    return "\n".join(f"{name} = {values[name]!r}" for name in values if name in declared)


def _run_in_lab(lab: Lab, path: Path) -> dict[str, Any]:
    relative = path.relative_to(REPO).as_posix()
    status, model = lab.request("GET", f"/api/contents/{relative}?content=1&type=notebook")
    assert status == 200, (relative, status, model)
    cells = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
    status, session = lab.request(
        "POST",
        "/api/sessions",
        {"path": relative, "name": path.name, "type": "notebook", "kernel": {"name": "python3"}},
    )
    assert status == 201, (relative, status, session)
    kernel = session["kernel"]["id"]
    ws = websocket.create_connection(
        f"{lab.ws_base}/api/kernels/{kernel}/channels?session_id={session['id']}",
        header=[f"Authorization: token {lab.token}"],
        timeout=60,
    )
    result: dict[str, Any] = {"cells": 0, "outputs": [], "kernel": session["kernel"]["name"]}
    try:
        reply, outputs = _execute(
            ws, "import os, sys; print(os.getcwd()); print(sys.executable)", "t"
        )
        result["cwd"], result["python"] = "".join(o.get("text", "") for o in outputs).split()[:2]
        for i, cell in enumerate(cells):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            reply, outputs = _execute(ws, source, session["id"])
            errors = [o for o in outputs if o["output_type"] == "error"]
            assert reply["status"] == "ok" and not errors, (
                f"{relative}: code cell {i} failed in JupyterLab's kernel: "
                f"{reply.get('ename')}: {reply.get('evalue')}"
            )
            result["cells"] += 1
            result["outputs"].extend(outputs)
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                # what papermill would inject after the parameters cell
                reply, _ = _execute(ws, _overrides(path), session["id"])
                assert reply["status"] == "ok", reply
    finally:
        ws.close()
        lab.request("DELETE", f"/api/sessions/{session['id']}")
    return result


@pytest.fixture(scope="module")
def lab_runs(lab) -> dict[str, Any]:
    results: dict[str, Any] = {}

    def run(path: Path) -> None:
        try:
            results[path.name] = _run_in_lab(lab, path)
        except BaseException as exc:  # shown by the test of this notebook
            results[path.name] = exc

    threads = [threading.Thread(target=run, args=(path,)) for path in NOTEBOOKS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_jupyterlab_serves_its_front_end(lab):
    status, page = lab.request("GET", "/lab")
    assert status == 200
    assert "JupyterLab" in page and "jupyter-config-data" in page
    status, page = lab.request("GET", "/lab/tree/notebooks/coverage_report.ipynb")
    assert status == 200
    status, specs = lab.request("GET", "/api/kernelspecs")
    assert status == 200 and "python3" in specs["kernelspecs"]


def test_jupyterlab_needs_the_token(lab):
    assert lab.request("GET", "/api/contents/notebooks")[0] == 200
    for path in ("/api/status", "/api/contents/notebooks"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(lab.base + path, timeout=30)
        assert caught.value.code == 403, path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab_with_plotly_mime_figures(lab_runs, path):
    result = lab_runs[path.name]
    if isinstance(result, BaseException):
        raise result
    code_cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert result["cells"] == sum(c["cell_type"] == "code" for c in code_cells)
    # The kernel is this environment's interpreter, started in the notebook's folder, as in Lab.
    assert Path(result["cwd"]) == path.parent
    assert Path(result["python"]).resolve() == Path(sys.executable).resolve()
    figures = [o for o in result["outputs"] if PLOTLY_MIME in o.get("data", {})]
    assert figures, f"{path.name}: no output carries {PLOTLY_MIME}"
    for output in figures:
        figure = output["data"][PLOTLY_MIME]
        assert figure["data"] and "layout" in figure  # plotly JSON that Lab's renderer draws
        # Lab shows the mime-type rendition; the text/html one would need the notebook extension.
        assert "text/html" not in output["data"]
