from pathlib import Path

import pytest

from wangge.lib.env import Env, EnvError, parse_database_url

BASE = Path("/srv/wangge")


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " on "])
def test_it_reads_true_booleans(raw):
    assert Env({"X": raw}).get_bool("X") is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "OFF", ""])
def test_it_reads_false_booleans(raw):
    assert Env({"X": raw}).get_bool("X", default=True) is False


def test_it_uses_the_default_for_a_missing_boolean():
    assert Env({}).get_bool("X") is False
    assert Env({}).get_bool("X", default=True) is True


@pytest.mark.parametrize("raw", ["2", "maybe", "y", "tru", "是"])
def test_it_rejects_other_booleans_naming_the_variable(raw):
    with pytest.raises(EnvError, match="WANGGE_DEBUG"):
        Env({"WANGGE_DEBUG": raw}).get_bool("WANGGE_DEBUG")


def test_it_reads_integers():
    assert Env({"N": "42"}).get_int("N", 5) == 42
    assert Env({"N": " 7 "}).get_int("N", 5) == 7
    assert Env({"N": "-3"}).get_int("N", 5) == -3
    assert Env({}).get_int("N", 5) == 5
    assert Env({"N": ""}).get_int("N", 5) == 5
    assert Env({"N": "   "}).get_int("N", 5) == 5


@pytest.mark.parametrize("raw", ["abc", "1.5", "5x", "0x10", "一"])
def test_it_rejects_non_integers_naming_the_variable(raw):
    with pytest.raises(EnvError, match="WANGGE_LOGIN_FAILURE_LIMIT.*integer"):
        Env({"WANGGE_LOGIN_FAILURE_LIMIT": raw}).get_int("WANGGE_LOGIN_FAILURE_LIMIT", 5)


def test_it_enforces_an_integer_minimum():
    assert Env({"N": "1"}).get_int("N", 5, minimum=1) == 1
    with pytest.raises(EnvError, match="N='0'.*at least 1"):
        Env({"N": "0"}).get_int("N", 5, minimum=1)


def test_it_splits_lists():
    assert Env({"L": "a, b,,c ,"}).get_list("L") == ["a", "b", "c"]
    assert Env({}).get_list("L", ["x"]) == ["x"]
    assert Env({"L": ""}).get_list("L", ["x"]) == []


def test_it_reads_strings():
    assert Env({"S": "v"}).get_str("S") == "v"
    assert Env({}).get_str("S", "d") == "d"


def test_it_resolves_a_relative_sqlite_path_against_the_base_dir():
    db = parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(BASE / "var" / "db.sqlite3")


def test_it_keeps_an_absolute_sqlite_path():
    db = parse_database_url("sqlite:////data/wangge.sqlite3", base_dir=BASE)
    assert db["NAME"] == "/data/wangge.sqlite3"


def test_it_accepts_an_in_memory_sqlite_database():
    assert parse_database_url("sqlite:///:memory:", base_dir=BASE)["NAME"] == ":memory:"


def test_it_unquotes_sqlite_paths():
    db = parse_database_url("sqlite:////data/my%20db.sqlite3", base_dir=BASE)
    assert db["NAME"] == "/data/my db.sqlite3"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql", "PostgreSQL"])
def test_it_parses_postgres_urls(scheme):
    db = parse_database_url(f"{scheme}://wangge:p%40ss@db.example:6543/grid", base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "grid"
    assert db["USER"] == "wangge"
    assert db["PASSWORD"] == "p@ss"
    assert db["HOST"] == "db.example"
    assert db["PORT"] == "6543"
    assert db["OPTIONS"] == {"prepare_threshold": 5}
    assert db["TEST"] == {"NAME": "test_grid"}


def test_it_parses_a_postgres_url_without_password_or_port():
    db = parse_database_url("postgresql://postgres@127.0.0.1/test", base_dir=BASE)
    assert db["USER"] == "postgres"
    assert db["PASSWORD"] == ""
    assert db["HOST"] == "127.0.0.1"
    assert db["PORT"] == ""


def test_it_passes_query_options_and_takes_the_test_name_out():
    db = parse_database_url(
        "postgres://u@h:5432/grid?sslmode=require&test_name=grid_ci", base_dir=BASE
    )
    assert db["OPTIONS"] == {"sslmode": "require", "prepare_threshold": 5}
    assert db["TEST"] == {"NAME": "grid_ci"}


@pytest.mark.parametrize(("given", "threshold"), [("0", 0), ("12", 12), ("", None)])
def test_it_takes_the_prepare_threshold_as_a_number_or_none(given, threshold):
    db = parse_database_url(f"postgres://u@h/grid?prepare_threshold={given}", base_dir=BASE)
    assert db["OPTIONS"] == {"prepare_threshold": threshold}


def test_it_refuses_a_prepare_threshold_that_is_not_a_number():
    with pytest.raises(EnvError, match="prepare_threshold='often'"):
        parse_database_url("postgres://u@h/grid?prepare_threshold=often", base_dir=BASE)


def test_it_requires_a_postgres_database_name():
    with pytest.raises(EnvError, match="missing database name"):
        parse_database_url("postgres://u@h:5432/", base_dir=BASE)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "oracle://x", "db.sqlite3", ""])
def test_it_rejects_unsupported_schemes(url):
    with pytest.raises(EnvError, match="unsupported scheme"):
        parse_database_url(url, base_dir=BASE)


def test_it_refuses_a_sqlite_url_with_two_slashes():
    # sqlite://db.sqlite3 would otherwise silently become an in-memory database.
    with pytest.raises(EnvError, match="three slashes"):
        parse_database_url("sqlite://db.sqlite3", base_dir=BASE)
