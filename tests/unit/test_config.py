"""Environment variables arrive as the type of their default."""
from server.config import load_config


def test_env_values_take_the_type_of_their_default(monkeypatch, tmp_path):
    monkeypatch.setenv("YEKUO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YEKUO_SYNC_MAX_OPS", "250")
    monkeypatch.setenv("YEKUO_DEADLINE_WARN_SHARE", "0.75")
    monkeypatch.setenv("YEKUO_TSA_URL", "http://tsa.example/")
    config = load_config()
    assert config["SYNC_MAX_OPS"] == 250 and config["DEADLINE_WARN_SHARE"] == 0.75
    assert config["TSA_URL"] == "http://tsa.example/" and config["DATA_DIR"] == str(tmp_path.resolve())
