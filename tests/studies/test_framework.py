"""The studies framework: registry, StudyResult.save, figures, and `glassgrad study`.

A tiny study registered here exercises the plumbing, so these tests do not depend on any
real study's numbers."""

import json
import os
import platform

import numpy as np
import pytest

import glassgrad
from glassgrad import studies
from glassgrad.cli import main
from glassgrad.studies import StudyResult
from glassgrad.studies.result import _jsonable


def _tiny_result(with_figure=True):
    r = StudyResult(numbers={"ratio": np.float64(0.25), "curve": np.arange(3), "bad": float("nan")},
                    settings={"width": 4})
    r.find("a ratio", 0.25, "what it answers")
    if with_figure:
        def draw():
            from glassgrad.studies.plot import figure, integer_ticks, log_axis

            fig, ax = figure()
            ax.plot([1, 2, 3], [1e-3, 1e-2, 1e-1])
            log_axis(ax)
            integer_ticks(ax)
            return fig
        r.add_figure("curve", draw)
    return r


def test_every_study_is_listed_with_a_question_and_a_seed():
    assert "vanishing-gradients" in studies.names()
    for name in studies.names():
        s = studies.get(name)
        assert s.question.endswith("?") and s.seed_note in {"000", "001", "002", "003", "004"}


def test_unknown_study_is_named_in_the_error():
    with pytest.raises(ValueError, match="no study named 'nope'.*vanishing-gradients"):
        studies.get("nope")


def test_json_holds_numbers_only_as_json_can():
    assert _jsonable({"a": np.float32(0.5), "b": np.arange(2), "c": float("inf"), 1: (np.int64(3),)}) == \
        {"a": 0.5, "b": [0, 1], "c": None, "1": [3]}


def test_save_writes_results_json_with_versions(tmp_path):
    r = _tiny_result(with_figure=False)
    written = r.save(tmp_path / "out", figures=False)
    assert written == ["results.json"]
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["numbers"] == {"ratio": 0.25, "curve": [0, 1, 2], "bad": None}
    assert data["settings"] == {"width": 4}
    assert data["findings"] == [{"quantity": "a ratio", "value": 0.25, "meaning": "what it answers"}]
    assert data["versions"] == {"glassgrad": glassgrad.__version__, "numpy": np.__version__,
                                "python": platform.python_version()}


def test_save_writes_png_and_svg_at_the_asked_dpi(tmp_path):
    pytest.importorskip("matplotlib")
    r = _tiny_result()
    r.save(tmp_path, dpi=50)
    small = (tmp_path / "curve.png").stat().st_size
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "curve.svg").read_text().lstrip().startswith("<?xml")
    r.save(tmp_path, dpi=200)
    assert (tmp_path / "curve.png").stat().st_size > small


def test_log_axis_labels_powers_of_ten_only():
    pytest.importorskip("matplotlib")
    fig = _tiny_result().figure("curve")
    fig.canvas.draw()
    ax = fig.axes[0]
    minor = [t.get_text() for t in ax.yaxis.get_minorticklabels()]
    assert all(text == "" for text in minor)
    assert all(float(t) == int(t) for t in ax.get_xticks())


@pytest.mark.parametrize("dpi", [0, 5, 5000, 1.5, True])
def test_bad_dpi_refused_before_anything_is_written(tmp_path, dpi):
    with pytest.raises(ValueError, match="dpi must be a whole number"):
        _tiny_result().save(tmp_path / "never", dpi=dpi)
    assert not (tmp_path / "never").exists()


def test_seed_must_be_a_whole_number():
    with pytest.raises(ValueError, match="seed"):
        studies.get("vanishing-gradients")(quick=True, seed=-1)


# ------------------------------------------------------------------------------ CLI
def test_cli_list_shows_name_and_question(capsys):
    assert main(["study", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vanishing-gradients") and studies.get("vanishing-gradients").question in out


@pytest.mark.parametrize("argv, message", [
    (["study"], "name a study"),
    (["study", "nope"], "no study named"),
    (["study", "vanishing-gradients", "--dpi", "3"], "--dpi: expected a whole number from"),
    (["study", "vanishing-gradients", "--seed", "-2"], "--seed: expected a whole number from 0"),
    (["study", "vanishing-gradients", "--list"], "--list takes no study name"),
])
def test_cli_refuses_bad_options_in_one_line_and_creates_nothing(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv + ["--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_cli_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["study", "vanishing-gradients", "--quick", "--out", str(tmp_path / "f")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert (tmp_path / "f").read_text() == "x"


@pytest.fixture
def tiny(monkeypatch):
    """A study that takes no time, registered for one test."""
    studies.names()  # load the real ones first
    monkeypatch.setitem(studies._REGISTRY, "tiny", studies.Study(
        "tiny", "Does the plumbing work?", "000", lambda quick, seed, progress: _tiny_result()))


def test_cli_runs_a_study_and_writes_its_results(tmp_path, capsys, tiny):
    assert main(["study", "tiny", "--quick", "--no-figures", "--seed", "3", "--out", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "tiny: Does the plumbing work?" in out and "a ratio" in out
    data = json.loads((tmp_path / "t" / "results.json").read_text())
    assert data["study"] == "tiny" and data["settings"] == {"width": 4, "quick": True, "seed": 3}
    assert os.listdir(tmp_path / "t") == ["results.json"]


def test_cli_writes_figures_beside_results(tmp_path, capsys, tiny):
    pytest.importorskip("matplotlib")
    assert main(["study", "tiny", "--out", str(tmp_path / "t"), "--dpi", "60"]) == 0
    assert sorted(os.listdir(tmp_path / "t")) == ["curve.png", "curve.svg", "results.json"]
