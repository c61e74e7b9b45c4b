"""Grid imports: all or nothing with a full report, per-region snapshots, reservations kept."""
import io
import json

import pytest

from tests.conftest import assert_problem
from tests.factories import RECEIVED, feeder, make_grid, make_ticket, strokes, transformer

GOOD = make_grid(transformer("TX-1", 100, 0), transformer("TX-2", -300, 0),
                 feeder("F-1", [(-2000, 500), (2000, 500)]))


def import_file(api, body, username="bo_cz", content_type="application/geo+json", **params):
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return api.post("/api/grid/imports", username, data=data.encode(), content_type=content_type,
                    query_string=params)


def test_import_makes_a_numbered_snapshot_and_lists_it(api):
    first = import_file(api, GOOD, filename="cz.geojson")
    second = import_file(api, GOOD)
    assert first.status_code == second.status_code == 201, first.json
    snapshot = first.json["snapshots"][0]
    assert snapshot["region"] == "changzhou" and snapshot["asset_count"] == 3
    assert snapshot["version"] == f"changzhou/{snapshot['id']}"
    assert second.json["snapshots"][0]["id"] > snapshot["id"]
    history = api.get("/api/grid/imports", "bo_cz").json
    assert [h["id"] for h in history] == [second.json["snapshots"][0]["id"], snapshot["id"]]
    assert history[1]["filename"] == "cz.geojson" and history[1]["imported_by"] == "bo_cz"


def test_bad_rows_reject_the_whole_file_with_every_row_reported(api):
    bad = make_grid(transformer("TX-1", 0, 0), transformer("TX-2", 10, 0, rating_kva=-5),
                    transformer("TX-1", 20, 0), {"type": "Feature", "properties": {"kind": "feeder"}},
                    transformer("TX-5", 30, 0, generation_kva="much"))
    body = assert_problem(import_file(api, bad), 422, "validation-error")
    where = {(row["where"], row["field"]) for row in body["report"]}
    assert ("feature 1", "rating_kva") in where and ("feature 2", "asset_id") in where
    assert ("feature 4", "generation_kva") in where
    assert {("feature 3", "asset_id"), ("feature 3", "region"), ("feature 3", "geometry")} <= where
    assert api.get("/api/grid/imports", "bo_cz").json == []


def test_properties_of_the_wrong_type_are_rejected_at_import(api):
    wrong = make_grid(transformer("TX-1", 0, 0, ties=True), transformer("TX-2", 10, 0, region=["changzhou"]),
                      {**transformer("TX-3", 20, 0), "properties": {**transformer("TX-3", 20, 0)["properties"],
                                                                    "asset_id": {"id": 3}}},
                      transformer("TX-4", 30, 0, substation_id=7, negative_list="no"))
    body = assert_problem(import_file(api, wrong), 422, "validation-error")
    where = {(row["where"], row["field"]) for row in body["report"]}
    assert {("feature 0", "ties"), ("feature 1", "region"), ("feature 2", "asset_id"), ("feature 3", "substation_id"),
            ("feature 3", "negative_list")} <= where
    surrogate = json.dumps(make_grid(transformer("TX-5", 0, 0))).replace('"TX-5"', '"TX-\\ud800"')
    body = assert_problem(import_file(api, surrogate), 422, "validation-error")
    assert ("feature 0", "asset_id") in {(row["where"], row["field"]) for row in body["report"]}
    assert api.get("/api/grid/imports", "bo_cz").json == []


def test_csv_with_lon_lat_columns(api):
    csv_text = ("asset_id,kind,voltage_kv,rating_kva,peak_kva,region,lon,lat\n"
                "TX-9,distribution_transformer,0.4,400,100,changzhou,119.95,31.78\n")
    response = import_file(api, csv_text, content_type="text/csv")
    assert response.status_code == 201 and response.json["asset_count"] == 1
    bad = csv_text + "TX-10,distribution_transformer,0.4,lots,100,changzhou,119.95,31.78\n"
    body = assert_problem(import_file(api, bad, content_type="text/csv"), 422, "validation-error")
    assert body["report"] == [{"where": "line 3", "asset_id": "TX-10", "field": "rating_kva",
                               "reason": "not a number"}]


def test_multipart_upload(api):
    data = {"file": (io.BytesIO(json.dumps(GOOD).encode()), "grid.geojson")}
    response = api.post("/api/grid/imports", "bo_cz", data=data, content_type="multipart/form-data")
    assert response.status_code == 201 and response.json["filename"] == "grid.geojson"


def test_only_back_office_of_the_region_imports(api):
    assert_problem(import_file(api, GOOD, username="cm_a"), 403, "forbidden")
    assert_problem(import_file(api, GOOD, username="bo_sh"), 403, "forbidden")
    assert import_file(api, GOOD, username="root").status_code == 201


def test_unknown_region_and_wrong_media_type(api):
    other = make_grid(transformer("TX-1", 0, 0, region="atlantis"))
    body = assert_problem(import_file(api, other, username="root"), 422, "validation-error")
    assert body["report"][0]["field"] == "region"
    assert_problem(import_file(api, "x", content_type="text/plain"), 415, "unsupported-media-type")


def test_an_import_replaces_only_the_regions_in_the_file(api):
    assert import_file(api, GOOD).status_code == 201
    shanghai = make_grid(transformer("SH-1", 0, 0, region="shanghai"))
    assert import_file(api, shanghai, username="root").status_code == 201
    regions = {h["region"]: h["asset_count"] for h in api.get("/api/grid/imports", "root").json}
    assert regions == {"changzhou": 3, "shanghai": 1}


def signed_lv_ticket(api, capacity_kw=120):
    ticket = make_ticket(capacity_kw=capacity_kw, documents=RECEIVED)
    assert api.post("/api/tickets", "cm_a", json=ticket).status_code == 201
    scheme = api.command(ticket["id"], "cm_a", "propose_scheme").json["scheme"]
    api.command(ticket["id"], "cm_a", "choose_option", rank=1, scheme_hash=scheme["scheme_hash"])
    signed = api.command(ticket["id"], "cm_a", "sign_scheme", scheme_hash=scheme["scheme_hash"], signer_name="张三",
                         signature_blob=api.upload("cm_a", strokes()))
    assert signed.status_code == 200, signed.json
    return ticket["id"], scheme["options"][0]["connection"]["asset_id"]


def test_reservations_survive_a_reimport_and_vanished_assets_are_reported(api):
    import_file(api, GOOD)
    ticket_id, asset_id = signed_lv_ticket(api)
    assert asset_id == "TX-1"
    again = import_file(api, GOOD).json["snapshots"][0]
    assert again["vanished_reserved_assets"] == []
    request = {"region": "changzhou", "business_type": "lv_nonresident_new", "customer_class": "non_resident",
               "capacity_kw": 10, "location": make_ticket()["location"]}
    preview = api.post("/api/schemes/preview", "cm_a", json=request)
    tx1 = next(o for o in preview.json["options"] if o["connection"]["asset_id"] == "TX-1")
    assert tx1["open_capacity_kva"] == pytest.approx(0.8 * 630 - 200 - 120 / 0.9, abs=0.05)   # still reserved
    without_tx1 = make_grid(*[f for f in GOOD["features"] if f["properties"]["asset_id"] != "TX-1"])
    gone = import_file(api, without_tx1).json["snapshots"][0]
    assert gone["vanished_reserved_assets"] == [{"asset_id": "TX-1", "ticket_id": ticket_id,
                                                 "kva": round(120 / 0.9, 3)}]


def test_cli_import_and_its_report(app, tmp_path):
    good, bad = tmp_path / "grid.geojson", tmp_path / "bad.csv"
    good.write_text(json.dumps(GOOD))
    bad.write_text("asset_id,kind,voltage_kv,region,lon,lat\nTX-1,distribution_transformer,0.4,changzhou,999,31\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grid", "import", str(good)])
    assert result.exit_code == 0 and "changzhou: snapshot 1 with 3 assets" in result.output
    result = runner.invoke(args=["grid", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2: TX-1: rating_kva: required" in result.output and "nothing imported" in result.output


def test_grid_files_may_exceed_the_general_body_limit_up_to_their_own(app, api):
    app.config.update(MAX_CONTENT_LENGTH=500, GRID_IMPORT_MAX_BYTES=100_000)
    assert len(json.dumps(GOOD)) > 500
    assert import_file(api, GOOD).status_code == 201
    app.config.update(GRID_IMPORT_MAX_BYTES=500)
    assert_problem(import_file(api, GOOD), 413, "payload-too-large")


def test_source_side_properties_are_type_checked(api):
    """docs/SCHEME_API.md v2: transformers an integer, voltage_pct a number — or the file is refused."""
    wrong = make_grid(transformer("TX-1", 0, 0, voltage_pct="high"),
                      {**transformer("S-1", 50, 0), "properties": {**transformer("S-1", 50, 0)["properties"],
                                                                    "kind": "substation", "transformers": "two"}})
    body = assert_problem(import_file(api, wrong), 422, "validation-error")
    assert {("feature 0", "voltage_pct"), ("feature 1", "transformers")} <= {(r["where"], r["field"])
                                                                            for r in body["report"]}
