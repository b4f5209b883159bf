"""Flags that would have no effect are refused with a message naming them, never ignored silently:
the period flags that contradict each other, model settings beside ``--load``, and ``eac``'s
forecast flags without a forecast."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(REPO / "sample_data" / "sample_portfolio.csv")
SINGLE = "portfolio,program,planned,actual\nP,A,10,12\nP,B,5,4\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def single(tmp_path: Path) -> str:
    path = tmp_path / "single.csv"
    path.write_text(SINGLE, encoding="utf-8")
    return str(path)


def test_period_label_without_no_period_is_refused(
    capsys: pytest.CaptureFixture[str], single: str
) -> None:
    code, out, err = _run(capsys, "rollup", SAMPLE, "--period-label", "FY24")
    assert code == 2 and out == ""
    assert "--period-label" in err and "--no-period" in err


def test_no_period_with_a_period_column_is_refused(
    capsys: pytest.CaptureFixture[str], single: str
) -> None:
    code, _, err = _run(
        capsys,
        "rollup",
        single,
        "--levels",
        "portfolio,program",
        "--no-period",
        "--period",
        "month",
    )
    assert code == 2
    assert "--no-period" in err and "--period names one ('month')" in err


def test_explain_names_its_own_period_column_flag(
    capsys: pytest.CaptureFixture[str], single: str
) -> None:
    code, _, err = _run(
        capsys, "explain", single, "--node", "P", "--no-period", "--period-column", "month"
    )
    assert code == 2
    assert "--period-column names one ('month')" in err


def test_period_label_with_no_period_names_the_period(
    capsys: pytest.CaptureFixture[str], single: str
) -> None:
    flags = ["--levels", "portfolio,program", "--no-period", "--period-label", "FY24"]
    code, out, err = _run(capsys, "rollup", single, *flags, "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert set(table["period"]) == {"FY24"}
    assert table.loc[table["node"] == "All", "actual"].iloc[0] == 16


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--units", "16"], "--units"),
        (["--level", "2"], "--level"),
        (["--members", "2", "--seed", "3"], "--members, --seed"),
    ],
)
def test_eac_forecast_flags_without_a_forecast_are_refused(
    capsys: pytest.CaptureFixture[str], flags: list[str], named: str
) -> None:
    code, out, err = _run(capsys, "eac", SAMPLE, *flags)
    assert code == 2 and out == ""
    verb = "apply" if "," in named else "applies"
    assert f"{named} only {verb} to the drift forecast" in err
    assert "--forecast" in err


def test_eac_model_flags_beside_load_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "eac", SAMPLE, "--load", str(tmp_path), "--epochs", "3")
    assert code == 2
    assert "--load forecasts with the saved model's own settings, so --epochs" in err


def test_forecast_model_flags_beside_load_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flags = ["--load", str(tmp_path), "--batch-size", "64", "--spread-quantiles", "0.2", "0.8"]
    code, out, err = _run(capsys, "forecast", SAMPLE, *flags, "--quiet")
    assert code == 2 and out == ""
    assert "so --batch-size, --spread-quantiles would be ignored" in err


def test_parquet_without_out_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cli.forecast

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the forecast request was built before the output was checked")

    monkeypatch.setattr(cli.forecast, "request_from_args", never)
    code, out, err = _run(capsys, "forecast", SAMPLE, "--format", "parquet", "--quiet")
    assert code == 2 and out == ""
    assert "--format parquet writes a file: give it with --out FILE." in err


def test_eac_side_table_follows_the_parquet_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "eac.parquet"
    code, _, err = _run(capsys, "eac", SAMPLE, "--out", str(out))
    assert code == 0, err
    main_table = pd.read_parquet(out)
    side = pd.read_parquet(tmp_path / "eac_backtest.parquet")
    assert "eac_plan" in main_table.columns and "All" in set(main_table["node"])
    assert list(side.columns) == ["cutoff", "method", "items", "mae", "wape", "bias"]
    assert not (tmp_path / "eac_backtest.csv").exists()
    # the methods' mean error is money: at the file's cents, without float noise
    assert len(side) > 0 and (side["mae"] == side["mae"].round(2)).all()


def test_a_loaded_model_forecasts_the_level_it_was_trained_at(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse
    from types import SimpleNamespace

    from cli.forecast import default_level_from

    model = SimpleNamespace(nodes=("Ops / Alpha", "Ops / Beta", "Dev / Alpha"))
    args = argparse.Namespace(level=None, node=None)
    default_level_from(args, model)
    assert args.level == 2
    assert "trained at level 2" in capsys.readouterr().err
    given = argparse.Namespace(level=1, node=None)
    default_level_from(given, model)
    assert given.level == 1  # the analyst's choice stands
    root = argparse.Namespace(level=None, node=None)
    default_level_from(root, SimpleNamespace(nodes=("All",)))
    assert root.level == 0
    fresh = argparse.Namespace(level=None, node=None)
    default_level_from(fresh, None)
    assert fresh.level is None  # no model: the file's default level, chosen later


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["alerts", SAMPLE, "--latest", "--level", "2"], "--level 2"),  # not --levels
        (["rollup", SAMPLE, "--lev", "portfolio"], "--lev portfolio"),
        (["explain", SAMPLE, "--node", "All", "--period", "2024-01", "--per", "x"], "--per x"),
    ],
)
def test_flags_are_taken_only_as_written(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert f"unrecognized arguments: {flag}" in capsys.readouterr().err


def test_eac_says_it_does_not_use_persistence_or_basis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "eac", SAMPLE, "--persistence", "3", "--format", "json")
    assert code == 0, err
    assert "--persistence applies to the alerts over the history" in err
    assert "so they do not use it." in err
    code, _, err = _run(capsys, "eac", SAMPLE, "--basis", "period", "--persistence", "2")
    assert "--persistence and --basis apply" in err and "do not use them." in err
    code, _, err = _run(capsys, "eac", SAMPLE, "--format", "json")
    assert "to the alerts over the history" not in err
