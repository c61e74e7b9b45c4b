"""New ids are UUIDv7: made one after another, they sort in the order they were made (sync/ids.py)."""
import uuid

from sync.client import Client
from sync.ids import new_id
from tests.factories import make_ticket


def test_new_ids_are_version_7_and_sort_in_the_order_made():
    ids = [new_id() for _ in range(1000)]
    assert {uuid.UUID(i).version for i in ids} == {7}
    assert sorted(ids) == ids and len(set(ids)) == len(ids)


def test_the_reference_client_and_the_test_tickets_use_them(tmp_path):
    client = Client("http://unused", tmp_path / "device.sqlite", "pda-ids")
    first = client.create_ticket({"customer": {"name": "张三"}})
    second = make_ticket()["id"]
    client.enqueue("note.add", first, data={"text": "现场"})
    op_ids = [op["op_id"] for op in client.queue()]
    assert uuid.UUID(first.removeprefix("T-")).version == 7 and first < second
    assert {uuid.UUID(i).version for i in op_ids} == {7} and sorted(op_ids) == op_ids
