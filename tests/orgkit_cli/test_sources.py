"""`--api`, `--spec`, `--overlay` and `--version`: which documents a command works on."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orgkit.errors import ConfigError
from orgkit.specs import spec_dir, spec_path
from orgkit_cli.cli import main
from orgkit_cli.sources import served_sources

V4 = spec_dir() / "overlays" / "svx-api-v4.yaml"


def overlay(folder: Path, name: str, extends: str | None = None) -> Path:
    data = {"overlay": "1.0.0", "info": {"title": name, "version": "1"},
            "actions": [{"target": "$.info", "update": {"x-touched": name}}]}
    if extends is not None:
        data["extends"] = extends
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def serve_args(api: list[str] | None = None, spec: list[Path] | None = None,
               overlays: list[Path] | None = None) -> argparse.Namespace:
    return argparse.Namespace(api=api, spec=spec, overlay=overlays)


def test_serving_defaults_to_both_bundled_documents() -> None:
    assert [s.path for s in served_sources(serve_args())] == [spec_path("svx"),
                                                             spec_path("transmit")]


PAIRING = [
    ("extends-picks-its-document", "svx-api.yaml", [1, 0]),
    ("extends-as-a-url", "https://example.com/specs/transmit-organizations.yaml", [0, 1]),
    ("no-extends-applies-to-all", None, [1, 1]),
]


@pytest.mark.parametrize(("extends", "counts"), [p[1:] for p in PAIRING],
                         ids=[p[0] for p in PAIRING])
def test_overlays_pair_with_served_documents(tmp_path: Path, extends: str | None,
                                             counts: list[int]) -> None:
    sources = served_sources(serve_args(overlays=[overlay(tmp_path, "o", extends)]))
    assert [len(s.overlays) for s in sources] == counts


def test_an_overlay_extending_no_served_document_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="none of the served documents"):
        served_sources(serve_args(overlays=[overlay(tmp_path, "o", "other.yaml")]))


def test_one_served_document_takes_every_overlay(tmp_path: Path) -> None:
    sources = served_sources(serve_args(api=["transmit"], overlays=[V4]))
    assert sources[0].overlays == (V4,)


@pytest.mark.parametrize("argv", [
    ["serve", "--port", "9150", "--api", "svx", "--api", "svx"],
    ["serve", "--port", "9151", "--api", "svx", "--spec", str(spec_path("svx"))],
    ["spec", "--spec", "absent.yaml", "--out", "x.json"],
    ["spec", "--api", "svx", "--overlay", "absent.yaml", "--out", "x.json"],
], ids=["same-api-twice", "same-name-as-spec", "missing-spec", "missing-overlay"])
def test_bad_documents_are_usage_errors(argv: list[str], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.replace("x.json", str(tmp_path / "x.json")) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orgkit: error: ") and err.count("\n") == 1, err


def test_spec_writes_the_overlaid_document(tmp_path: Path) -> None:
    out = tmp_path / "v4.json"
    assert main(["spec", "--spec", str(spec_path("svx")), "--overlay", str(V4),
                 "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["x-orgkit"]["mount"] == "/api/v4"
    assert [s["url"] for s in document["servers"]] == ["http://127.0.0.1:8080/api/v4"]


def test_contract_takes_exactly_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["contract", "--api", "svx", "--spec", "x.yaml", "--base-url", "http://h/svx",
              "--personas", "p.json"])
    assert info.value.code == 2
    assert "not allowed with argument --api" in capsys.readouterr().err


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-m", "orgkit_cli", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"orgkit {version('orgkit')}\n")
