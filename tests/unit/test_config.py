"""Environment variables arrive as the type of their default."""
from server.config import DEFAULTS, load_config


def test_env_values_take_the_type_of_their_default(monkeypatch, tmp_path):
    monkeypatch.setenv("YEKUO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YEKUO_SYNC_MAX_OPS", "250")
    monkeypatch.setenv("YEKUO_DEADLINE_WARN_SHARE", "0.75")
    monkeypatch.setenv("YEKUO_TSA_URL", "http://tsa.example/")
    config = load_config()
    assert config["SYNC_MAX_OPS"] == 250 and config["DEADLINE_WARN_SHARE"] == 0.75
    assert config["TSA_URL"] == "http://tsa.example/" and config["DATA_DIR"] == str(tmp_path.resolve())


def test_pushes_at_once_follow_the_engine_unless_set(monkeypatch, tmp_path):
    """One push at a time per process on SQLite (its writes queue on one file lock in this process),
    the general default on PostgreSQL; a value given by the environment or the caller wins on both."""
    monkeypatch.setenv("YEKUO_DATA_DIR", str(tmp_path))
    url = "postgresql://yekuo@db.example:5432/yekuo"
    assert load_config()["SYNC_CONCURRENT_PUSHES"] == 1
    assert load_config({"DATABASE_URL": url})["SYNC_CONCURRENT_PUSHES"] == DEFAULTS["SYNC_CONCURRENT_PUSHES"] > 1
    assert load_config({"SYNC_CONCURRENT_PUSHES": 0})["SYNC_CONCURRENT_PUSHES"] == 0
    monkeypatch.setenv("YEKUO_SYNC_CONCURRENT_PUSHES", "3")
    assert load_config()["SYNC_CONCURRENT_PUSHES"] == 3
    assert load_config({"DATABASE_URL": url})["SYNC_CONCURRENT_PUSHES"] == 3
