import pytest

from shinchoku.env import EnvError, envbool, envint, envlist


def test_envbool_reads_yes_and_no(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert envbool("X_FLAG") is False


def test_envbool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError):
        envbool("X_FLAG")


def test_envint_and_envlist(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    assert envint("X_INT", "1") == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(EnvError):
        envint("X_INT", "1")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert envlist("X_LIST") == ["a", "b", "c"]


def test_envint_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(EnvError, match="X_INT must be at least 1, got 0"):
        envint("X_INT", "5", minimum=1)
    monkeypatch.setenv("X_INT", "1")
    assert envint("X_INT", "5", minimum=1) == 1
