"""What a delivery makes for lines with process 3 (a job) and 4 (a file job whose form is
the line's form_properties), and that a failing delivery makes none."""

from __future__ import annotations

from tests.orders.helpers import (
    ORDERS,
    equipment_rows,
    make,
    receive,
    rule,
    work_order_rows,
    world,
)


async def test_jobs_and_file_jobs(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 2, ["J-1", "J-2"])
    form = [{"form": "Install", "property": "Pressure", "value": "2 bar"},
            {"form": "Install", "property": "Signed", "value": ""}]
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["pump"], "quantity": 2, "process": 3, "serial_numbers": ["J-1", "J-2"],
         "description": "Heat pump"},
        {"item_id": w["goods"], "quantity": 4, "process": 4, "form_properties": form},
        {"item_id": w["goods"], "quantity": 1, "process": 1}]})
    url = f"{ORDERS}/{order['id']}"
    pump_line, goods_line, _ = (line["id"] for line in order["lines"])
    delivery = await make(client, acme, f"{url}/deliver", {})
    assert len(delivery["work_order_ids"]) == 2
    made = {row[0]: row for row in await work_order_rows(app, acme)}
    job, file_job = (made[i] for i in delivery["work_order_ids"])
    assert (job[1], job[2], job[3], job[4]) == ("job", order["id"], w["customer"], [])
    assert (file_job[1], file_job[2], file_job[3], file_job[4]) == (
        "file_job", order["id"], w["customer"], form)
    units = {row[0]: row for row in await equipment_rows(app, acme)}
    pumps = sorted(i for i, row in units.items() if row[7] == pump_line)
    goods = [i for i, row in units.items() if row[7] == goods_line]
    assert len(pumps) == 2 and len(goods) == 1
    for work_order_id, equipment in ((job[0], pumps), (file_job[0], goods)):
        read = (await client.get(f"/v1/work-orders/{work_order_id}",
                                 headers=acme.headers)).json()
        assert sorted(read["equipment_ids"]) == equipment
        assert read["order_id"] == order["id"] and read["status"] == "ready"


async def test_a_failing_delivery_makes_no_work_order(app, client, acme):
    w = await world(client, acme)
    await receive(client, acme, w["goods"], 10)
    await receive(client, acme, w["pump"], 1, ["K-1"])
    order = await make(client, acme, ORDERS, {"customer_id": w["customer"], "lines": [
        {"item_id": w["goods"], "quantity": 1, "process": 3},
        {"item_id": w["pump"], "quantity": 1, "process": 4, "serial_numbers": ["K-9"]}]})
    before = await work_order_rows(app, acme), await equipment_rows(app, acme)
    response = await client.post(f"{ORDERS}/{order['id']}/deliver", headers=acme.headers)
    assert rule(response, "3008")[0][0] == ["lines[1].serial_numbers"]
    assert (await work_order_rows(app, acme), await equipment_rows(app, acme)) == before
